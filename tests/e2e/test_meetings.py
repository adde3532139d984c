"""Meetings in a real browser: planned, agenda proposed, built and published, PDF received;
and the agenda builder used with the keyboard alone."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.e2e.browser import check_accessibility, login, step, submit, tab_to, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _meetings_app():
    try:
        reverse("meetings:agenda", kwargs={"pk": 1})
    except NoReverseMatch:
        pytest.skip("meetings app not there yet")


def plan_meeting(page, when: datetime.date) -> None:
    visit(page, reverse("meetings:create"))
    page.get_by_label("Type de réunion").select_option(index=0)
    page.get_by_label("Quartier").select_option(label="Ouest")
    page.get_by_label("Lieu").fill("Maison de services et de proximité")
    page.locator("#id_date").fill(when.isoformat())
    page.get_by_label("Heure de début").fill("09:00")
    page.get_by_label("Heure de fin").fill("11:00")
    submit(page, page.get_by_role("button", name="Planifier et inviter").click)
    check_accessibility(page)


def test_chef_plans_a_meeting_agent_proposes_chef_publishes_and_invitees_get_the_pdf(
    new_page, personas, ouest
):
    from meetings.models import AgendaDocument, Meeting

    when = timezone.localdate() + datetime.timedelta(days=21)
    chef = new_page()
    login(chef, personas["chef"])
    visit(chef, reverse("meetings:index"))
    plan_meeting(chef, when)
    meeting = Meeting.objects.get(quartier=ouest, start__date=when)
    assert meeting.invitations.filter(agent=personas["agent"]).exists()
    visit(chef, meeting.get_absolute_url())

    agent = new_page()
    login(agent, personas["agent"])
    visit(agent, reverse("meetings:my_agenda"))
    visit(agent, reverse("meetings:agenda", args=[meeting.pk]))
    step(agent, "propose an item")
    agent.locator("#proposer input[name=title]").fill("Fête de quartier de juin")
    agent.locator("#proposer input[name=duration_minutes]").fill("20")
    submit(agent, agent.get_by_role("button", name="Envoyer ma proposition").click)
    check_accessibility(agent)
    item = meeting.items.get(title="Fête de quartier de juin")

    visit(chef, reverse("meetings:agenda", args=[meeting.pk]))
    step(chef, "accept the proposal (htmx)")
    chef.get_by_role("button", name="Retenir « Fête de quartier de juin »").click()
    chef.locator(f"#point-{item.pk}").wait_for()
    check_accessibility(chef)
    mail.outbox.clear()
    step(chef, "publish the agenda")
    submit(chef, chef.get_by_role("button", name="Publier l'ordre du jour").click)
    check_accessibility(chef)

    document = AgendaDocument.objects.get(meeting=meeting)
    assert document.status == AgendaDocument.Status.READY, document.error
    assert document.file.read(5) == b"%PDF-"
    recipients = {address for message in mail.outbox for address in message.to}
    assert personas["agent"].email in recipients
    with_pdf = [m for m in mail.outbox if any(a[0].endswith(".pdf") for a in m.attachments)]
    assert with_pdf, "the agenda email carries no PDF"
    step(agent, "the invitee downloads the PDF")
    visit(agent, meeting.get_absolute_url())
    with agent.expect_download() as download_info:
        agent.evaluate(
            "(u) => { const a = document.createElement('a'); a.href = u; a.download = '';"
            " document.body.appendChild(a); a.click(); }",
            reverse(
                "meetings:document_download",
                kwargs={"pk": meeting.pk, "kind": "ordre-du-jour", "document_pk": document.pk},
            ),
        )
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_agenda_builder_with_the_keyboard_alone(page, personas, ouest):
    from meetings.models import AgendaItem, Meeting

    start = timezone.now() + datetime.timedelta(days=10)
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.EQUIPE,
        quartier=ouest,
        organiser=personas["chef"],
        place="MSP",
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    proposal = AgendaItem.objects.create(
        meeting=meeting,
        title="Jardins partagés",
        proposed_by=personas["agent"],
        duration_minutes=15,
        status=AgendaItem.Status.PROPOSED,
    )
    login(page, personas["chef"])
    page.goto(reverse("meetings:agenda", args=[meeting.pk]))
    step(page, "keyboard: add an item")
    tab_to(page, "#proposer input[name=title]")
    page.keyboard.type("Point sécurité routière")
    tab_to(page, "#proposer input[name=duration_minutes]")
    page.keyboard.press("Control+A")
    page.keyboard.type("25")
    tab_to(page, "#proposer button[type=submit]")
    submit(page, lambda: page.keyboard.press("Enter"))
    check_accessibility(page)
    added = meeting.items.get(title="Point sécurité routière")
    assert added.duration_minutes == 25

    step(page, "keyboard: accept the proposal with Space")
    tab_to(page, f"form[action$='/points/{proposal.pk}/decision/'] button[value=accept]")
    page.keyboard.press(" ")
    page.locator(f"#point-{proposal.pk}").wait_for()

    step(page, "keyboard: move the proposal up")
    tab_to(page, f"#point-{proposal.pk} button[value=up]")
    page.keyboard.press("Enter")
    page.wait_for_function(
        """([moved, other]) => {
            const ids = [...document.querySelectorAll('.agenda-table tbody tr')].map(r => r.id);
            return ids.indexOf('point-' + moved) > -1
                && ids.indexOf('point-' + moved) < ids.indexOf('point-' + other);
        }""",
        arg=[proposal.pk, added.pk],
    )
    check_accessibility(page)
    order = page.eval_on_selector_all(
        ".agenda-table tbody tr[id^=point-]", "rows => rows.map(r => r.id)"
    )
    assert order.index(f"point-{proposal.pk}") < order.index(f"point-{added.pk}"), order
    step(page, "keyboard: publish")
    tab_to(page, f"form[action='{reverse('meetings:agenda_publish', args=[meeting.pk])}'] button")
    submit(page, lambda: page.keyboard.press("Enter"))
    meeting.refresh_from_db()
    assert meeting.agenda_version == 1
