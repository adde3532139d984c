"""The demo's observations look like a real team's: seen at hours that fit, by someone at work,
over the whole of last year and the year before, with a believable month-by-month curve."""

import datetime
from collections import Counter

import holidays
import pytest
from django.utils import timezone

from observations import demo
from observations.models import Comment, Escalation, Observation, Orientation, Photo, StatusChange
from teams import demo as teams_demo
from teams.models import Membership

NIGHT = "tranquillite-publique"


@pytest.fixture
def loaded(db):
    teams_demo.load()
    demo.load()
    return list(
        Observation.objects.select_related("author__service", "quartier").order_by("observed_at")
    )


def minutes(moment: datetime.datetime) -> int:
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute


def check_volume_is_modest_and_covers_last_year_and_the_year_before(loaded):
    year = timezone.localdate().year
    assert 300 <= len(loaded) <= 1500
    by_year = Counter(timezone.localtime(o.observed_at).year for o in loaded)
    assert by_year[year - 2] >= 200 and by_year[year - 1] >= 250
    assert by_year[year - 1] != by_year[year - 2], (
        "a comparison with the year before says something"
    )
    ouest_months = Counter(
        timezone.localtime(o.observed_at).month
        for o in loaded
        if o.quartier.slug == "ouest" and timezone.localtime(o.observed_at).year == year - 1
    )
    curve = [ouest_months[m] for m in range(1, 13)]
    assert min(curve) >= 4, curve  # every month has observations
    assert max(curve) <= 4 * min(curve), curve  # no month dwarfs the others
    assert ouest_months[8] < sum(curve) / 12, "August is quiet"


def check_everyone_is_seen_at_work(loaded):
    """Day agents: weekdays, not public holidays, 7:30-18:30. Night patrols: evenings too, never Sunday."""
    closed = set(holidays.France(years=range(2020, timezone.localdate().year + 2)))
    for o in loaded:
        local = timezone.localtime(o.observed_at)
        patrol = o.author.service is not None and o.author.service.slug == NIGHT
        assert local.weekday() != 6, (o.title, local)
        if patrol:
            assert 7 * 60 + 30 <= minutes(o.observed_at) <= 23 * 60, (o.title, local)
        else:
            assert local.weekday() < 5 and local.date() not in closed, (o.title, local)
            assert 7 * 60 + 30 <= minutes(o.observed_at) <= 18 * 60 + 30, (o.title, local)


def check_times_and_places_fit_what_was_seen(loaded):
    for o in loaded:
        at = minutes(o.observed_at)
        if o.title in ("Bruit de chantier tôt le matin", "Sacs d'ordures éventrés"):
            assert 7 * 60 + 30 <= at <= 10 * 60, (o.title, timezone.localtime(o.observed_at))
        if at > 18 * 60 + 30:
            assert demo.WHEN.get(o.title) == demo.EVENING, (
                o.title,
                timezone.localtime(o.observed_at),
            )
        if demo.WHEN.get(o.title) == demo.RECEPTION:
            assert o.place == demo.RECEPTION_PLACES[o.quartier.slug], (o.title, o.place)
        if demo.WHEN.get(o.title) == demo.SCHOOL:
            assert "école" in o.place or "collège" in o.place, (o.title, o.place)
    evening = [o for o in loaded if o.title == "Rodéos de motos en soirée"]
    assert any(minutes(o.observed_at) >= 20 * 60 for o in evening), "the patrols see the rodéos"


def check_authors_were_in_the_team_on_that_day(loaded):
    starts = {
        (m.agent_id, m.quartier_id): m.start_date
        for m in Membership.objects.filter(role=Membership.Role.MEMBRE)
    }
    for o in loaded:
        start = starts[(o.author_id, o.quartier_id)]
        assert start <= timezone.localtime(o.observed_at).date(), (o.author, o.observed_at)


def check_follow_up_happens_in_office_hours_and_in_order(loaded):
    now = timezone.now()
    for o in loaded:
        assert o.observed_at <= o.created_at <= now
    for change in StatusChange.objects.exclude(from_status="").select_related("observation"):
        assert change.changed_at >= change.observation.created_at
        local = timezone.localtime(change.changed_at)
        if change.changed_at < now - datetime.timedelta(days=7):
            assert local.weekday() < 5 and 8 * 60 + 30 <= minutes(change.changed_at) <= 17 * 60 + 45
    for moment in list(Comment.objects.values_list("created_at", flat=True)) + list(
        Escalation.objects.values_list("created_at", flat=True)
    ):
        if moment < now - datetime.timedelta(days=7):
            assert timezone.localtime(moment).weekday() < 5


def check_orientations_on_working_days_over_both_years(loaded):
    year = timezone.localdate().year
    days = list(Orientation.objects.values_list("oriented_on", flat=True))
    assert all(day.weekday() < 5 for day in days)
    assert {day.year for day in days} >= {year - 2, year - 1, year}


def test_demo_is_realistic(loaded):
    """One load (it takes seconds), every check."""
    check_volume_is_modest_and_covers_last_year_and_the_year_before(loaded)
    check_everyone_is_seen_at_work(loaded)
    check_times_and_places_fit_what_was_seen(loaded)
    check_authors_were_in_the_team_on_that_day(loaded)
    check_follow_up_happens_in_office_hours_and_in_order(loaded)
    check_orientations_on_working_days_over_both_years(loaded)


def test_second_load_changes_nothing(loaded):
    counts = [
        m.objects.count()
        for m in (Observation, StatusChange, Comment, Escalation, Orientation, Photo)
    ]
    demo.load()
    assert [
        m.objects.count()
        for m in (Observation, StatusChange, Comment, Escalation, Orientation, Photo)
    ] == counts


def test_demo_photos_are_stored_with_their_thumbnails(loaded):
    """The demo's pictures go through the app's photo service: a row, its image and its thumbnail."""
    photos = list(Photo.objects.select_related("observation"))
    assert 1 <= len(photos) <= 6
    for photo in photos:
        assert not photo.observation.is_confidential
        assert photo.image.storage.exists(photo.image.name)
        assert photo.thumbnail.storage.exists(photo.thumbnail.name)


def test_reference_data_links_categories_and_needs_to_their_services(db):
    """Categories and needs come from a migration, before any service: the upsert links them."""
    from observations.models import Category, NeedType

    teams_demo.services_upsert()
    demo.reference_data_upsert()
    demo.reference_data_upsert()
    assert Category.objects.get(slug="proprete").default_service.slug == "services-techniques"
    assert NeedType.objects.get(slug="aide-sociale").default_service.slug == "ccas"
    assert Category.objects.get(slug="autre").default_service is None
    assert not NeedType.objects.filter(default_service__isnull=True).exists()
