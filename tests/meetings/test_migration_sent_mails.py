"""The meetings' email rows of an existing installation survive the move onto the one mail path:
a letter half sent before the upgrade is finished after it, to the invitees not served only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("meetings", "0005_sent_mail_deliveries"), ("foundation", "0003_mail_delivery_name")]
AFTER = [("meetings", "0006_sent_mails_on_the_mail_path")]


@pytest.mark.django_db(transaction=True)
def test_sent_mail_rows_become_mail_deliveries_of_their_letter():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Agent = old.get_model("teams", "Agent")
    Quartier = old.get_model("teams", "Quartier")
    Meeting = old.get_model("meetings", "Meeting")
    AgendaDocument = old.get_model("meetings", "AgendaDocument")
    SentMail = old.get_model("meetings", "SentMail")
    organiser = Agent.objects.create(email="chef@ville.example", first_name="C", last_name="P")
    quartier = Quartier.objects.create(name="Ouest", slug="ouest")
    meeting = Meeting.objects.create(
        title="Réunion", quartier=quartier, organiser=organiser,
        start="2026-03-02T14:00:00+01:00", end="2026-03-02T16:00:00+01:00",
        agenda_version=1, status="cancelled",
    )  # fmt: skip
    document = AgendaDocument.objects.create(meeting=meeting, version=1)
    SentMail.objects.create(
        meeting=meeting, kind="agenda", version=1, email="A@x.example", name="A", state="sent"
    )
    SentMail.objects.create(meeting=meeting, kind="agenda", version=1, email="b@x.example")
    SentMail.objects.create(
        meeting=meeting, kind="cancel", version=0, email="c@x.example", state="unconfirmed"
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        MailDelivery = new.get_model("foundation", "MailDelivery")
        rows = {
            row.email: row for row in MailDelivery.objects.filter(letter__startswith="meetings:")
        }
        assert set(rows) == {"a@x.example", "b@x.example", "c@x.example"}
        agenda = f"meetings:{meeting.pk}:agenda:1"
        assert rows["a@x.example"].letter == agenda and rows["a@x.example"].state == "sent"
        assert rows["a@x.example"].name == "A"
        assert rows["b@x.example"].state == "pending"
        assert rows["b@x.example"].task_name == "meetings.tasks.render_agenda"
        assert rows["b@x.example"].args == [document.pk]
        assert rows["c@x.example"].letter == f"meetings:{meeting.pk}:cancel:0"
        assert rows["c@x.example"].task_name == "meetings.tasks.send_cancellation"
        assert rows["c@x.example"].args == [meeting.pk]
        assert rows["c@x.example"].state == "unconfirmed"
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
