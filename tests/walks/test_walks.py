"""A walk from planning to report: invitations (.ics read by ical.js), moves and cancellation
mailed, stops reordered, observations noted at stops through the observations' own creation
service (personal-data refusal, photo sanitising), and the report PDF read with poppler and
pikepdf (tagged, route map, confidentiality)."""

from __future__ import annotations

import datetime
import io
import json
import math
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from observations.models import Category, Observation, Photo
from teams.models import ExternalParticipant, Partner
from tests.observations.factories import jpeg_bytes
from tests.poppler import pdf_text
from tests.walks.factories import make_walk
from walks import documents, services
from walks.models import StopObservation, Walk, WalkReport

READER = Path(settings.BASE_DIR) / "tests" / "tools" / "ical_instants.cjs"
NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"


def calendar_parts(message):
    return [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]


def thunderbird_reads(content: bytes, tmp_path: Path) -> list[dict]:
    path = tmp_path / "walk.ics"
    path.write_bytes(content)
    out = subprocess.run(  # noqa: S603
        ["node", str(READER), str(path)], capture_output=True, check=True, timeout=60,
        env={"NODE_MODULES": str(NODE_MODULES), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    ).stdout  # fmt: skip
    return json.loads(out)


@pytest.fixture
def inhabitant(ouest):
    person = ExternalParticipant.objects.create(
        first_name="Léa",
        last_name="Habitante",
        email="lea@habitants.example",
        is_conseil_citoyen=True,
    )
    person.quartiers.add(ouest)
    return person


@pytest.fixture
def partner(ouest):
    organisation = Partner.objects.get(name="Centre social")
    person = ExternalParticipant.objects.create(
        first_name="Marc",
        last_name="Partenaire",
        email="marc@centre.example",
        organisation=organisation,
    )
    person.quartiers.add(ouest)
    return person


@pytest.mark.skipif(not shutil.which("node"), reason="node reads the calendars as Thunderbird does")
def test_chef_plans_a_walk_and_invitees_receive_an_ics(
    as_role, personas, ouest, inhabitant, partner, tmp_path, django_capture_on_commit_callbacks
):
    client = as_role("chef")
    start = (timezone.localtime() + datetime.timedelta(days=10)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("walks:create"), {
            "quartier": ouest.pk, "title": "Marche du printemps", "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "meeting_point": "Devant la MSP", "agents": [personas["agent"].pk],
            "externals": [inhabitant.pk, partner.pk],
        })  # fmt: skip
    walk = Walk.objects.get()
    assert response.status_code == 302 and response["Location"] == walk.get_absolute_url()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["agent@test.example", "lea@habitants.example", "marc@centre.example"]
    )
    part = calendar_parts(mail.outbox[0])[0]
    assert part.get_param("method") == "REQUEST"
    events = thunderbird_reads(part.get_payload(decode=True), tmp_path)
    assert [datetime.datetime.fromisoformat(events[0]["start"].replace("Z", "+00:00"))] == [
        walk.start
    ]

    # Moved: everyone receives the new time, with a higher SEQUENCE.
    mail.outbox.clear()
    later = start + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("walks:edit", args=[walk.pk]), {
            "title": walk.title, "start": later.strftime("%Y-%m-%dT%H:%M"),
            "end": (later + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "meeting_point": "Devant la MSP", "agents": [personas["agent"].pk],
            "externals": [inhabitant.pk, partner.pk],
        })  # fmt: skip
    walk.refresh_from_db()
    assert walk.sequence == 1 and len(mail.outbox) == 3
    moved = thunderbird_reads(calendar_parts(mail.outbox[0])[0].get_payload(decode=True), tmp_path)
    assert datetime.datetime.fromisoformat(moved[0]["start"].replace("Z", "+00:00")) == later

    # Cancelled: a CANCEL to each.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("walks:cancel", args=[walk.pk]))
    walk.refresh_from_db()
    assert walk.is_cancelled and len(mail.outbox) == 3
    assert all(calendar_parts(m)[0].get_param("method") == "CANCEL" for m in mail.outbox)
    assert "annulé" in mail.outbox[0].subject


def test_bad_times_keep_what_was_typed(as_role, ouest):
    client = as_role("chef")
    response = client.post(reverse("walks:create"), {
        "quartier": ouest.pk, "title": "Marche gardée", "start": "2030-05-10T14:00",
        "end": "2030-05-10T13:00", "meeting_point": "MSP",
    })  # fmt: skip
    assert response.status_code == 200
    assert "La fin de la marche doit suivre son début." in response.content.decode()
    assert 'value="Marche gardée"' in response.content.decode()
    assert not Walk.objects.exists()


def test_stops_are_added_reordered_and_edited(as_role, personas, ouest):
    walk = make_walk(ouest, personas["chef"], days=5, done=False)
    client = as_role("chef")
    response = client.post(reverse("walks:stop_add", args=[walk.pk]), {
        "name": "Parvis de l'école", "theme": "Sécurité des abords", "latitude": "50.291000", "longitude": "2.765000",
    })  # fmt: skip
    assert response.status_code == 302
    names = lambda: list(walk.stops.values_list("name", flat=True))  # noqa: E731
    assert names()[-1] == "Parvis de l'école"
    last = walk.stops.get(name="Parvis de l'école")
    client.post(reverse("walks:stop_move", args=[walk.pk, last.pk]), {"direction": "up"})
    assert names()[-2:] == ["Parvis de l'école", "Rue Verlaine, aire de jeux"]
    first = walk.stops.first()
    client.post(reverse("walks:stop_move", args=[walk.pk, first.pk]), {"direction": "up"})  # no-op
    assert names()[0] == first.name
    assert list(walk.stops.values_list("position", flat=True)) == [0, 1, 2, 3]
    # Half a point is refused, with what was typed kept.
    response = client.post(reverse("walks:stop_edit", args=[walk.pk, last.pk]), {
        "name": "Parvis renommé", "theme": "", "latitude": "50.29", "longitude": "",
    })  # fmt: skip
    assert response.status_code == 200 and "Parvis renommé" in response.content.decode()
    assert "ou aucune des deux" in response.content.decode()
    priority = ouest.priorities.first()
    client.post(
        reverse("walks:stop_edit", args=[walk.pk, last.pk]),
        {"name": "Parvis renommé", "priority": priority.pk},
    )
    last.refresh_from_db()
    assert (
        last.name == "Parvis renommé" and last.theme_label == priority.title and not last.has_point
    )


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (80, 60), (10, 120, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (50.0, 17.0, 30.0), 1: "N"}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_an_agent_notes_at_a_stop_through_the_observations_service(as_role, personas, ouest, walk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_role("agent")
    stop = walk.stops.all()[1]
    url = reverse("walks:live_stop", args=[walk.pk, stop.pk])
    page = client.get(url).content.decode()
    assert 'aria-current="step"' in page and stop.name in page
    category = Category.objects.get(slug="proprete")
    response = client.post(url, {
        "category": category.pk, "title": "Bancs dégradés", "description": "Trois lattes cassées",
        "confidentiality": "equipe", "for_inhabitant": "on",
        "photos": SimpleUploadedFile("banc.jpg", _photo_with_gps(), content_type="image/jpeg"),
    })  # fmt: skip
    assert response.status_code == 302
    note = StopObservation.objects.get()
    observation = note.observation
    assert note.stop == stop and note.for_inhabitant
    assert (observation.latitude, observation.longitude) == (stop.latitude, stop.longitude)
    assert observation.quartier == ouest and observation.author == personas["agent"]
    assert observation.place == stop.name and observation.status == Observation.Status.NEW
    # The observations' service ran: its status history, and the photo stripped of its position.
    photo = Photo.objects.get(observation=observation)
    with photo.image.open("rb") as handle:
        assert not Image.open(handle).getexif().get(0x8825)


def test_personal_data_is_refused_and_the_text_kept(as_role, walk):
    client = as_role("agent")
    stop = walk.stops.first()
    category = Category.objects.get(slug="proprete")
    response = client.post(reverse("walks:live_stop", args=[walk.pk, stop.pk]), {
        "category": category.pk, "title": "Mme Dupont, joindre au 06 12 34 56 78",
        "confidentiality": "equipe", "for_inhabitant": "on",
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "données personnelles" in page and "un numéro de téléphone" in page
    assert "Mme Dupont, joindre au 06 12 34 56 78" in page  # kept, to be corrected
    assert not Observation.objects.exists() and not StopObservation.objects.exists()


def test_route_map_keeps_the_shape_with_the_cosine_of_latitude(personas, ouest):
    walk = make_walk(ouest, personas["chef"])
    stops = list(walk.stops.all())
    drawn = documents.route_map(walk, stops, width=400, height=400)
    assert drawn is not None and [m["number"] for m in drawn.markers] == [1, 2, 3]
    # The outline square is 0.015° of longitude by 0.010° of latitude: on the ground, at 50.29°N,
    # 0.015 × cos(50.29°) ≈ 0.00958 wide for 0.010 high.
    xs = [float(p.split(",")[0]) for p in drawn.outline[0].split()]
    ys = [float(p.split(",")[1]) for p in drawn.outline[0].split()]
    ratio = (max(xs) - min(xs)) / (max(ys) - min(ys))
    assert ratio == pytest.approx(0.015 * math.cos(math.radians(50.29)) / 0.010, rel=0.01)
    # North is up: the first stop (southernmost) is drawn lowest.
    assert float(drawn.markers[0]["y"]) > float(drawn.markers[2]["y"])


def _route_svg(page: str):
    """The route map's drawing in a page, parsed as XML (a second reader, not string search)."""
    from xml.etree import ElementTree

    start = page.index('<svg class="route-map"')
    drawing = page[start : page.index("</svg>", start) + len("</svg>")]
    return ElementTree.fromstring(drawing)  # noqa: S314 - the app's own page, in a test


def _markers(svg) -> list[tuple[str, str, str]]:
    ns = "{http://www.w3.org/2000/svg}"
    return [(t.text or "", t.get("x", ""), t.get("y", "")) for t in svg.iter(f"{ns}text")]


def test_the_route_is_drawn_on_the_walk_s_page_and_the_live_page(as_role, personas, ouest):
    """Planning and walking see the route on a map of the quartier, drawn without tiles (the live
    page opens with no network): the stops numbered in route order, the current one ringed."""
    walk = make_walk(ouest, personas["chef"], days=0, done=False, invited=[personas["agent"]])
    stops = list(walk.stops.all())
    services.stop_add(walk=walk, data={"name": "Sans position", "theme": ""})
    drawn = documents.route_map(walk, stops)
    expected = [(str(m["number"]), m["x"], m["y"]) for m in drawn.markers]

    client = as_role("chef")
    page = client.get(walk.get_absolute_url()).content.decode()
    svg = _route_svg(page)
    assert svg.get("role") == "img" and "arrêts numérotés" in svg.get("aria-label")
    assert _markers(svg) == expected  # three numbered stops; the fourth has no point
    assert "pas sur la carte (sans position)" in page
    services.stop_move(stop=stops[2], offset=-2)  # the third stop becomes the first
    page = client.get(walk.get_absolute_url()).content.decode()
    assert [n for n, _x, _y in _markers(_route_svg(page))] == ["1", "2", "3"]
    assert _markers(_route_svg(page))[0][1:] == expected[2][1:]

    page = as_role("agent").get(reverse("walks:live_stop", args=[walk.pk, stops[0].pk]))
    svg = _route_svg(page.content.decode())
    assert "« Place de la MSP », est entouré" in svg.get("aria-label")
    (ring,) = [c for c in svg.iter("{http://www.w3.org/2000/svg}circle") if c.get("class")]
    assert (ring.get("cx"), ring.get("cy")) == expected[0][1:]


def test_report_pdf(
    personas, ouest, inhabitant, partner, django_capture_on_commit_callbacks, tmp_path
):
    walk = make_walk(
        ouest, personas["chef"], invited=[personas["agent"]], externals=[inhabitant, partner]
    )
    stops = list(walk.stops.all())
    category = Category.objects.get(slug="proprete")
    services.note_observation(
        stop=stops[0], author=personas["agent"], category=category, title="Tags sur le mur du gymnase",
        description="Grand tag récent", for_inhabitant=True,
    )  # fmt: skip
    from foundation.images import sanitize_image
    from tests.observations.factories import Upload

    services.note_observation(
        stop=stops[1], author=personas["agent"], category=category, title="Corbeille pleine",
        photos=[sanitize_image(Upload(jpeg_bytes((120, 90))))],
    )  # fmt: skip
    services.note_observation(
        stop=stops[2], author=personas["chef"], category=Category.objects.exclude(pk=category.pk).first(),
        title="Famille Secretissime à la rue", description="Détails Secretissimes",
        confidentiality=Observation.Confidentiality.CONFIDENTIAL,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(walk=walk, requested_by=personas["chef"])
    report.refresh_from_db()
    assert report.status == WalkReport.Status.READY, report.error
    content = report.file.open("rb").read()
    text = pdf_text(content)
    flat = " ".join(text.split())
    assert "Marche Ouest" in flat and "Place de la MSP" in flat and "Square des Tilleuls" in flat
    assert "Tags sur le mur du gymnase" in flat and "Corbeille pleine" in flat
    assert "Secretissime" not in text.replace("\n", "")
    # Counted, never placed: the third stop, where it was noted, shows nothing of it.
    assert "Dont 1 observation confidentielle" in flat
    third = flat.split("Arrêt 3 : Rue Verlaine, aire de jeux", 1)[1]
    assert third.startswith(" Thème : Cadre de vie Aucune observation à cet arrêt.")
    # Agents by name, partners by organisation, inhabitants only as a count.
    assert (
        "Agent" in flat
        and "Centre social" in flat
        and "Habitante" not in flat
        and "Léa" not in flat
    )
    assert "Partenaire" not in flat.replace("Partenaires", "")
    assert "1 personne invitée" in flat and "1 observation notée pour un habitant" in flat
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang).startswith("fr")
        images = [name for page in pdf.pages for name in page.images]
        assert len(images) >= 1  # the photo's thumbnail
        # The route map is vector drawing: numbered stops' circles are painted paths on page 1.
        drawing = (
            pdf.pages[0].Contents.read_bytes()
            if not isinstance(pdf.pages[0].Contents, pikepdf.Array)
            else b"".join(c.read_bytes() for c in pdf.pages[0].Contents)
        )
        assert (
            b" c" in drawing or b"\nc\n" in drawing or b" c\n" in drawing
        )  # Bézier curves (circles)
    (tmp_path / "report.pdf").write_bytes(content)
    # The stop numbers are drawn inside the map (poppler's word boxes), not piled in a corner
    # (as a French decimal comma in an SVG coordinate once did).
    boxes = subprocess.run(  # noqa: S603
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp_path / "report.pdf"), "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    import re

    numbers = {word: float(x) for x, word in re.findall(r'xMin="([\d.]+)"[^>]*>(\d)</word>', boxes)}
    assert {"1", "2", "3"} <= set(numbers)
    assert len({round(numbers[n]) for n in ("1", "2", "3")}) == 3


def test_report_needs_a_done_walk(as_role, personas, ouest):
    walk = make_walk(ouest, personas["chef"], days=3, done=False)
    client = as_role("chef")
    response = client.post(reverse("walks:report_request", args=[walk.pk]), follow=True)
    assert "une fois la marche réalisée" in response.content.decode()
    assert not WalkReport.objects.exists()
    response = client.post(reverse("walks:mark_done", args=[walk.pk]), follow=True)
    walk.refresh_from_db()
    assert walk.status == Walk.Status.PLANNED and "pas encore commencé" in response.content.decode()


def test_the_live_page_follows_the_route_order_after_a_move(as_role, personas, ouest):
    walk = make_walk(ouest, personas["chef"])
    last = list(walk.stops.all())[-1]
    services.stop_move(stop=last, offset=-1)
    services.stop_move(stop=last, offset=-1)
    client = as_role("agent")
    page = client.get(reverse("walks:live", args=[walk.pk])).content.decode()
    # The first stop is now the one moved up twice (a GROUP BY once dropped the ordering).
    assert f"Arrêt 1 sur 3 : {last.name}".replace("'", "&#x27;") in page


def test_a_note_whose_link_to_the_stop_fails_leaves_no_observation_nor_photo_file(
    personas, walk, monkeypatch, settings
):
    """The observation and its link are one write: a failure of the second undoes the first, and
    the photo file written in between is removed."""
    from django.db import IntegrityError

    from foundation.images import sanitize_image

    def refuse(**kwargs):
        raise IntegrityError("the stop went away")

    monkeypatch.setattr(StopObservation.objects, "create", refuse)
    photo = sanitize_image(io.BytesIO(jpeg_bytes()))
    with pytest.raises(IntegrityError):
        services.note_observation(
            stop=walk.stops.first(),
            author=personas["agent"],
            category=Category.objects.get(slug="proprete"),
            title="Bancs dégradés",
            photos=[photo],
        )
    assert not Observation.objects.exists() and not Photo.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_a_stop_s_point_can_be_found_by_its_address(as_role, personas, ouest, settings):
    """The stop form offers the observations' address search on the stop's place, in the walk's
    quartier: a point without a map, nor latitude and longitude to type."""
    import re

    walk = make_walk(ouest, personas["chef"], days=3, done=False)
    url = reverse("walks:stop_add", args=[walk.pk])
    page = as_role("chef").get(url).content.decode()
    (box,) = re.findall(r'<div class="obs-address[^>]*id="address-search"[^>]*>', page)
    assert 'data-place-field="name"' in box and f'data-quartier="{ouest.pk}"' in box
    assert 'id="position-messages"' in page and "observations/address-search.js" in page
    settings.GEOCODER_URL = ""
    assert 'id="address-search"' not in as_role("chef").get(url).content.decode()


def test_a_confidential_note_is_not_shown_at_its_stop_to_who_may_not_read_it(
    as_role, personas, ouest, walk
):
    stops = list(walk.stops.all())
    services.note_observation(
        stop=stops[2], author=personas["chef"], category=Category.objects.get(slug="proprete"),
        title="Famille Secretissime", confidentiality=Observation.Confidentiality.CONFIDENTIAL,
    )  # fmt: skip
    services.note_observation(
        stop=stops[0], author=personas["agent"], category=Category.objects.get(slug="proprete"),
        title="Banc cassé",
    )  # fmt: skip
    agent = as_role("agent").get(walk.get_absolute_url()).content.decode()
    assert "Banc cassé" in agent
    assert "Observation confidentielle n°" not in agent and "Secretissime" not in agent
    assert "Et 1 observation confidentielle" in agent
    chef = as_role("chef").get(walk.get_absolute_url()).content.decode()
    stop_item = chef.split(f'id="arret-{stops[2].pk}"', 1)[1].split("</li>\n    \n    <li", 1)[0]
    assert "Famille Secretissime" in stop_item and "Et 1 observation" not in chef
