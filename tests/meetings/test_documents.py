"""Publishing: one PDF per version, one email per invitee whatever the clicks and redeliveries."""

import io

from django.urls import reverse
from pypdf import PdfReader

from foundation.models import DocumentJob
from meetings import services, tasks
from meetings.models import AgendaDocument
from tests.foundation.pdfua import assert_pdfua
from tests.meetings.factories import add_item, publish


def pdf_text(document) -> str:
    document.file.open("rb")
    try:
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(document.file.read())).pages
        )
        return " ".join(text.split())
    finally:
        document.file.close()


def test_publish_twice_and_run_twice_send_one_email_per_invitee(
    meeting, personas, external, django_capture_on_commit_callbacks, mailoutbox, as_role
):
    services.invitations_add(meeting=meeting, externals=[external])
    add_item(meeting, personas["agent"], "Propreté", 20)
    document, created = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    assert created
    # Second click (through the page), then the same task delivered twice more.
    as_role("chef").post(reverse("meetings:agenda_publish", args=[meeting.pk]))
    tasks.render_agenda.apply(args=[document.pk])
    tasks.render_agenda.apply(args=[document.pk])
    assert AgendaDocument.objects.filter(meeting=meeting).count() == 1
    document.refresh_from_db()
    assert (
        document.status == DocumentJob.Status.READY
        and document.attempts == 1
        and document.emails_sent_at
    )
    recipients = sorted(m.to[0] for m in mailoutbox)
    expected = sorted({i.invitee.email for i in meeting.invitations.all()})
    assert recipients == expected and "karima@asso.example" in recipients
    message = mailoutbox[0]
    names = [a[0] if isinstance(a, tuple) else a.get_filename() for a in message.attachments]
    assert any(n.endswith(".pdf") for n in names) and "invitation.ics" in names


def test_agenda_pdf_text(meeting, personas, observations, django_capture_on_commit_callbacks):
    item = add_item(meeting, personas["agent"], "Propreté aux abords des Tilleuls", 20)
    item.observations.set([observations["public"], observations["secret"]])
    document, _ = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    document.refresh_from_db()
    text = pdf_text(document)
    assert "Ordre du jour" in text and "Ouest" in text and "MSP Ouest" in text
    assert "Propreté aux abords des Tilleuls" in text and "Suivi des actions" in text
    assert "09:30" in text and "09:45" in text and "20 min" in text
    assert "Agent Test" in text  # the proposer and an invitee
    assert "Dépôt sauvage rue Baudimont" in text
    # The confidential observation appears only by its number, category and quartier.
    assert f"n° {observations['secret'].pk}" in text
    assert "Durand" not in text and "impayés" not in text and "résidence des Tilleuls" not in text


def test_a_failed_render_is_visible_and_retried(
    meeting, personas, django_capture_on_commit_callbacks, mailoutbox, monkeypatch, as_role
):
    add_item(meeting, personas["agent"], "Propreté", 20)

    def broken(document):
        raise ValueError("police introuvable")

    monkeypatch.setattr("meetings.documents.agenda_pdf", broken)
    document, _ = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.FAILED and not mailoutbox
    client = as_role("chef")
    state = client.get(
        reverse("meetings:document_status", args=[meeting.pk, "ordre-du-jour", document.pk])
    )
    assert "Réessayer" in state.content.decode()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("meetings:document_retry", args=[meeting.pk, "ordre-du-jour", document.pk])
        )
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.READY
    assert len(mailoutbox) == meeting.invitations.count()
    assert (
        as_role("agent")
        .get(reverse("meetings:document_status", args=[meeting.pk, "ordre-du-jour", document.pk]))
        .status_code
        == 200
    )


def test_a_mail_server_failure_releases_the_send_claim(
    meeting, personas, django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    add_item(meeting, personas["agent"], "Propreté", 20)

    def down(document):
        raise ConnectionError("SMTP injoignable")

    monkeypatch.setattr("meetings.documents.send_document_emails", down)
    document, _ = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.READY and document.emails_sent_at is None
    monkeypatch.undo()
    tasks.send_agenda.apply(args=[document.pk])  # its retry, on the mail queue
    assert len(mailoutbox) == meeting.invitations.count()


def test_minutes_pdf_and_notice(
    past_meeting, personas, observations, django_capture_on_commit_callbacks, mailoutbox
):
    item = add_item(past_meeting, personas["chef"], "Sécurité du square", 20)
    services.minutes_update(
        meeting=past_meeting,
        summary="Bonne participation.",
        items={item.pk: ("Échanges nourris.", "Installer un éclairage\nPrévenir le bailleur")},
    )
    services.action_create(
        meeting=past_meeting,
        agenda_item=item,
        title="Commander deux lampadaires",
        owner=personas["agent"],
        due_date=past_meeting.start.date() + __import__("datetime").timedelta(days=30),
        observation=observations["secret"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        document, created = services.minutes_publish(
            meeting=past_meeting, requested_by=personas["chef"]
        )
    with django_capture_on_commit_callbacks(execute=True):
        again, created_again = services.minutes_publish(
            meeting=past_meeting, requested_by=personas["chef"]
        )
    assert created and not created_again and again.pk == document.pk
    document.refresh_from_db()
    text = pdf_text(document)
    assert (
        "Compte rendu" in text
        and "Installer un éclairage" in text
        and "Commander deux lampadaires" in text
    )
    assert "Durand" not in text and "impayés" not in text and "résidence des Tilleuls" not in text
    assert len(mailoutbox) == past_meeting.invitations.count()
    assert all("Compte rendu" in m.subject for m in mailoutbox)


def test_publishing_again_after_a_failure_retries_the_same_version(
    meeting, personas, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    add_item(meeting, personas["agent"], "Propreté", 20)
    monkeypatch.setattr(
        "meetings.documents.agenda_pdf", lambda document: (_ for _ in ()).throw(ValueError("panne"))
    )
    document, _ = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    monkeypatch.undo()
    again, created = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    assert not created and again.pk == document.pk
    again.refresh_from_db()
    assert again.status == DocumentJob.Status.READY and again.version == 1
    assert len(mailoutbox) == meeting.invitations.count()


def test_agenda_and_minutes_pdf_structure(
    meeting, past_meeting, personas, external, django_capture_on_commit_callbacks
):
    """Tagged for screen readers; a guest list long enough to break across pages stays one table."""
    guests = [
        type(external).objects.create(
            first_name="Invité", last_name=str(number), email=f"invite{number}@asso.example"
        )
        for number in range(30)
    ]
    services.invitations_add(meeting=meeting, externals=[external, *guests])
    add_item(meeting, personas["chef"], "Sécurité du square", 20)
    agenda, _ = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    agenda.refresh_from_db()
    with agenda.file.open("rb") as handle:
        content = handle.read()
    assert len(PdfReader(io.BytesIO(content)).pages) >= 2
    walk = assert_pdfua(content)
    invitees = [t for t in walk.tables if "invitée" in t["caption"]]
    assert len(invitees) == 1
    assert invitees[0]["rows"] == 1 + int(invitees[0]["caption"].split()[0]) > 30
    services.minutes_update(meeting=past_meeting, summary="Bonne participation.", items={})
    with django_capture_on_commit_callbacks(execute=True):
        minutes, _ = services.minutes_publish(meeting=past_meeting, requested_by=personas["chef"])
    minutes.refresh_from_db()
    with minutes.file.open("rb") as handle:
        assert_pdfua(handle.read())
