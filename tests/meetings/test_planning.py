"""'Planifier l'année': working days, no French public holiday, no clash, never in the past."""

import datetime

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import planning, selectors, services
from meetings.models import Meeting
from tests.meetings.factories import make_meeting


def test_proposes_four_equipes_and_two_ett_on_working_days(ouest, personas):
    year = timezone.localdate().year + 1
    proposals = selectors.year_proposals(quartier=ouest, year=year)
    kinds = [p.kind for p in proposals]
    assert kinds.count(Meeting.Kind.EQUIPE) == 4 and kinds.count(Meeting.Kind.ETT) == 2
    fr = holidays.country_holidays("FR", years=[year])
    for proposal in proposals:
        assert proposal.date is not None
        assert proposal.date.weekday() < 5, proposal
        assert proposal.date not in fr, proposal
        assert proposal.period_start <= proposal.date <= proposal.period_end
    quarters = sorted((p.date.month - 1) // 3 for p in proposals if p.kind == Meeting.Kind.EQUIPE)
    assert quarters == [0, 1, 2, 3]


def test_avoids_holidays_and_invitees_other_meetings():
    year = 2031
    # 2031-05-08 (Victoire 1945) is a Thursday: an ETT target on that day must move.
    busy = planning.BusySlots()
    day = datetime.date(2031, 2, 11)  # the Q1 target (first Tuesday from 10 February)
    busy.add(
        planning.aware(day, datetime.time(9)),
        planning.aware(day, datetime.time(12)),
        "Autre réunion",
    )
    proposals = planning.propose_year(
        year=year,
        busy=busy,
        existing=[],
        now=planning.aware(datetime.date(2030, 1, 1), datetime.time(0)),
    )
    q1 = next(p for p in proposals if p.kind == Meeting.Kind.EQUIPE and p.date.month <= 3)
    assert q1.date != day and "Décalée" in q1.note
    fr = holidays.country_holidays("FR", years=[year])
    assert all(p.date not in fr for p in proposals)
    # No two proposals of the year overlap each other.
    slots = sorted((p.start, p.end) for p in proposals)
    assert all(a[1] <= b[0] for a, b in zip(slots, slots[1:], strict=False))


def test_target_on_a_holiday_moves():
    # 2026-11-10 is the Q4 target; make it a "holiday" by passing a calendar containing it.
    calendar = holidays.country_holidays("FR", years=[2026])
    calendar[datetime.date(2026, 11, 10)] = "Jour férié de test"
    problems = planning.slot_problems(
        planning.aware(datetime.date(2026, 11, 10), datetime.time(9, 30)),
        planning.aware(datetime.date(2026, 11, 10), datetime.time(11, 30)),
        planning.BusySlots(),
        now=planning.aware(datetime.date(2026, 1, 1), datetime.time(0)),
        holiday_calendar=calendar,
    )
    assert any("férié" in p for p in problems)


def test_past_periods_are_explained_not_proposed(ouest, personas):
    proposals = selectors.year_proposals(quartier=ouest, year=timezone.localdate().year - 1)
    assert all(p.date is None and p.note for p in proposals)


def test_existing_meeting_is_not_proposed_again(ouest, personas):
    year = timezone.localdate().year + 1
    first = selectors.year_proposals(quartier=ouest, year=year)[0]
    make_meeting(ouest, personas["chef"], kind=first.kind, start=first.start, end=first.end)
    again = selectors.year_proposals(quartier=ouest, year=year)
    assert again[0].date is None and "Déjà planifiée" in again[0].note


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (datetime.date(2031, 3, 15), "pas un jour ouvré"),  # a Saturday
        (datetime.date(2031, 5, 1), "férié"),  # fête du Travail
    ],
)
def test_confirm_refuses_bad_days_and_creates_nothing(ouest, personas, day, message):
    rows = [
        services.PlannedRow(
            kind=Meeting.Kind.EQUIPE,
            start=planning.aware(day, datetime.time(9)),
            end=planning.aware(day, datetime.time(11)),
            place="MSP",
        )
    ]
    with pytest.raises(ValidationError) as exc:
        services.year_plan_confirm(quartier=ouest, organiser=personas["chef"], rows=rows)
    assert message in " ".join(exc.value.message_dict["0"])
    assert not Meeting.objects.exists()


def test_confirm_refuses_a_clash_with_an_invitee_meeting(ouest, personas):
    existing = make_meeting(ouest, personas["chef"], days=40)
    rows = [
        services.PlannedRow(
            kind=Meeting.Kind.ETT, start=existing.start, end=existing.end, place="MSP"
        )
    ]
    with pytest.raises(ValidationError) as exc:
        services.year_plan_confirm(quartier=ouest, organiser=personas["chef"], rows=rows)
    assert "déjà une réunion" in " ".join(exc.value.message_dict["0"])


def test_the_page_proposes_adjusts_and_confirms(as_role, ouest, personas):
    year = timezone.localdate().year + 1
    client = as_role("chef")
    page = client.get(reverse("meetings:plan_year", args=[ouest.slug]), {"year": year})
    data = proposed_rows(page.context["formset"])
    # Adjust: move the first one to a Sunday → refused, everything typed is kept.
    sunday = first_sunday(year)
    data["plan-0-date"] = sunday.isoformat()
    data["plan-1-place"] = "Salle du conseil citoyen"
    refused = client.post(reverse("meetings:plan_year", args=[ouest.slug]) + f"?year={year}", data)
    assert refused.status_code == 200
    body = refused.content.decode()
    assert (
        "pas un jour ouvré" in body
        and "Salle du conseil citoyen" in body
        and sunday.isoformat() in body
    )
    assert not Meeting.objects.exists()
    # Uncheck the bad one and confirm: five meetings, the team invited.
    del data["plan-0-include"]
    done = client.post(reverse("meetings:plan_year", args=[ouest.slug]) + f"?year={year}", data)
    assert done.status_code == 302
    assert Meeting.objects.count() == 5
    assert Meeting.objects.filter(place="Salle du conseil citoyen").exists()
    assert all(
        m.invitations.filter(agent=personas["agent"]).exists() for m in Meeting.objects.all()
    )


def proposed_rows(formset) -> dict:
    """The plan page's rows posted back as proposed, every row ticked."""
    data = {"plan-TOTAL_FORMS": len(formset.forms), "plan-INITIAL_FORMS": len(formset.forms)}
    for index, form in enumerate(formset.forms):
        for name in ("kind", "label", "date", "start_time", "end_time", "place"):
            value = form.initial[name]
            data[f"plan-{index}-{name}"] = (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
        data[f"plan-{index}-include"] = "on"
    return data


def first_sunday(year: int) -> datetime.date:
    first = datetime.date(year, 1, 1)
    return first + datetime.timedelta(days=(6 - first.weekday()) % 7)


def test_a_refused_row_shows_its_error_on_its_own_row_after_unticked_ones(as_role, ouest):
    year = timezone.localdate().year + 1
    client = as_role("chef")
    url = reverse("meetings:plan_year", args=[ouest.slug])
    data = proposed_rows(client.get(url, {"year": year}).context["formset"])
    del data["plan-0-include"]  # the first row is left out
    data["plan-2-date"] = first_sunday(year).isoformat()  # the second planned row, third shown
    refused = client.post(url + f"?year={year}", data)
    assert refused.status_code == 200
    errors = [row_errors for _form, row_errors, _fields, _day in refused.context["rows"]]
    assert any("pas un jour ouvré" in str(error) for error in errors[2])
    assert not any(errors[:2]) and not any(errors[3:])
    assert not Meeting.objects.exists()
