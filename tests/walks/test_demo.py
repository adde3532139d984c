"""The demo's walks, loaded the way `loaddemo` loads them: one done last spring in Ouest with
observations (some photographed) at stops inside the outline and its report ready, photos and
route map in the PDF; one planned in the coming weeks whose stops show on its map."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.urls import reverse
from django.utils import timezone

from observations.models import Photo
from teams import demo as teams_demo
from teams import geo
from tests.poppler import pdf_text
from walks import demo
from walks.models import StopObservation, Walk, WalkReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    teams_demo.load()
    demo.load()
    return {w.status: w for w in Walk.objects.select_related("quartier")}


def test_a_walk_done_last_spring_with_photographed_observations_and_its_report(loaded):
    walk = loaded[Walk.Status.DONE]
    assert walk.quartier.slug == "ouest" and timezone.localtime(walk.start).month == 5
    assert walk.start < timezone.now()
    stops = list(walk.stops.all())
    assert all(
        s.has_point and geo.contains(walk.quartier.outline, s.longitude, s.latitude) for s in stops
    )
    notes = StopObservation.objects.filter(stop__walk=walk)
    assert {n.stop_id for n in notes} == {s.pk for s in stops}
    photos = Photo.objects.filter(observation__walk_stop__stop__walk=walk)
    assert photos.count() == len(demo.PHOTOGRAPHED)
    report = walk.reports.get()
    assert report.status == WalkReport.Status.READY
    content = report.file.open("rb").read()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        images = {image.objgen for page in pdf.pages for image in page.get_images().values()}
    assert len(images) == len(demo.PHOTOGRAPHED)
    words = pdf_text(content).split()
    assert {"1", "6"} <= set(words)  # the route map's numbered stops


def test_a_walk_planned_with_its_route_on_the_map(loaded, client):
    planned = loaded[Walk.Status.PLANNED]
    assert planned.start > timezone.now()
    stops = list(planned.stops.all())
    assert len(stops) >= 2 and all(s.has_point for s in stops)
    client.force_login(planned.organiser)
    page = client.get(reverse("walks:detail", args=[planned.pk])).content.decode()
    assert page.count('<text x="') == len(stops)
    assert "sans position" not in page


def test_loading_twice_changes_nothing(loaded):
    before = (Walk.objects.count(), Photo.objects.count(), WalkReport.objects.count())
    demo.load()
    assert (Walk.objects.count(), Photo.objects.count(), WalkReport.objects.count()) == before
