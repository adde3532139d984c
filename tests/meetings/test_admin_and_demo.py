"""The admin pages of `meetings` render; the demo loads twice without duplicating anything."""

import pytest
from django.urls import reverse

from meetings.models import Action, Meeting


@pytest.mark.parametrize(
    "model",
    [
        "meeting",
        "workinggroup",
        "action",
        "agendadocument",
        "minutesdocument",
        "calendarfeedtoken",
    ],
)
def test_admin_changelists(model, as_role, personas, meeting):
    client = as_role("admin")
    assert client.get(reverse(f"admin:meetings_{model}_changelist")).status_code == 200
    if model == "meeting":
        assert (
            client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).status_code
            == 200
        )


def test_demo_is_idempotent(db, settings, monkeypatch):
    from meetings import demo
    from teams import demo as teams_demo

    # PDFs of past meetings are rendered by the demo: replace the renderer to keep this test fast.
    monkeypatch.setattr("meetings.documents.render_pdf", lambda template, context: b"%PDF-1.7 demo")
    teams_demo.load()
    demo.load()
    counts = (Meeting.objects.count(), Action.objects.count())
    demo.load()
    assert (Meeting.objects.count(), Action.objects.count()) == counts
    assert Meeting.objects.filter(working_group__name="Accueil des familles allophones").exists()
    assert Meeting.objects.filter(kind=Meeting.Kind.PETIT_DEJEUNER).exists()
    assert Action.objects.filter(status__in=Action.OPEN_STATUSES).exists()
