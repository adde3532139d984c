import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from teams.models import Agent, Membership
from tests.teams.factories import PASSWORD, join, make_agent


def test_login_with_email_and_signup_closed(client, personas):
    response = client.post(
        reverse("account_login"), {"login": "AGENT@test.example", "password": PASSWORD}, follow=True
    )
    assert response.context["user"] == personas["agent"]
    client.logout()
    response = client.post(
        reverse("account_signup"),
        {"email": "new@test.example", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not Agent.objects.filter(email="new@test.example").exists()


def test_failed_login_keeps_the_email_and_says_why_in_french(client, personas):
    response = client.post(
        reverse("account_login"), {"login": "agent@test.example", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "agent@test.example" in response.content.decode()
    assert "incorrect" in response.content.decode().lower()


def test_quartier_home_groups_team_by_service(as_role, personas, ouest, services):
    colleague = make_agent(
        "colleague@test.example", service=services["jeunesse"], job_title="Animatrice"
    )
    join(colleague, ouest)
    response = as_role("agent").get(reverse("teams:quartier_detail", args=[ouest.slug]))
    overview = response.context["overview"]
    assert [m.agent for m in overview.chefs] == [personas["chef"]]
    assert [m.agent for m in overview.elus] == [personas["elu"]]
    jeunesse = next(g for g in overview.groups if g.service == services["jeunesse"])
    assert {m.agent for m in jeunesse.members} == {personas["agent"], colleague}
    assert (
        overview.member_count == 3
    )  # agent, colleague, chef: élus are not counted as team members
    assert "Tranquillité et cadre de vie" in response.content.decode()


def test_ended_membership_leaves_the_team(as_role, personas, ouest):
    membership = Membership.objects.get(agent=personas["agent"], quartier=ouest)
    membership.end_date = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    response = as_role("agent").get(reverse("teams:quartier_detail", args=[ouest.slug]))
    assert response.status_code == 404


def test_annuaire_search_by_name_job_and_service(as_role, personas, ouest, services):
    response = as_role("chef").get(reverse("teams:annuaire"), {"q": "animateur"})
    assert [a.pk for a in response.context["page"]] == [personas["agent"].pk]
    response = as_role("chef").get(reverse("teams:annuaire"), {"service": services["ccas"].pk})
    assert personas["chef"] in list(response.context["page"])
    assert personas["agent"] not in list(response.context["page"])


def test_annuaire_htmx_returns_only_the_results(as_role, personas):
    response = as_role("chef").get(
        reverse("teams:annuaire"), {"q": "anim"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body


def test_service_directory_finds_by_need(as_role, personas):
    response = as_role("agent").get(reverse("teams:service_list"), {"q": "logement"})
    assert [s.slug for s in response.context["services"]] == ["ccas"]


def test_welcome_page_shows_chef_to_newcomer(as_role, personas, ouest):
    agent = personas["agent"]
    agent.arrival_date = timezone.localdate() - datetime.timedelta(days=10)
    agent.save()
    response = as_role("agent").get(reverse("teams:welcome"))
    assert response.context["is_newcomer"] is True
    assert str(personas["chef"]) in response.content.decode()
    home = as_role("agent").get(reverse("home"))
    assert reverse("teams:welcome") in home.content.decode()


def test_old_timer_is_not_a_newcomer(personas):
    agent = personas["agent"]
    agent.arrival_date = timezone.localdate() - datetime.timedelta(days=91)
    assert not agent.is_newcomer()


# Team management by the chef de projet ---------------------------------------------------------


def test_chef_adds_and_removes_a_member(as_role, personas, ouest, services):
    newcomer = make_agent("new@test.example", service=services["technique"])
    client = as_role("chef")
    response = client.post(
        reverse("teams:team_manage", args=[ouest.slug]),
        {"agent": newcomer.pk, "role": "membre", "start_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(agent=newcomer, quartier=ouest)
    response = client.post(
        reverse("teams:membership_end", args=[ouest.slug, membership.pk]),
        {"end_date": timezone.localdate().isoformat()},
    )
    membership.refresh_from_db()
    assert membership.end_date == timezone.localdate()


def test_adding_twice_is_refused_with_a_message_and_keeps_the_form(as_role, personas, ouest):
    response = as_role("chef").post(
        reverse("teams:team_manage", args=[ouest.slug]),
        {
            "agent": personas["agent"].pk,
            "role": "membre",
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "fait déjà partie" in response.content.decode()
    assert Membership.objects.filter(agent=personas["agent"], quartier=ouest).count() == 1


def test_end_before_start_is_refused(as_role, personas, ouest):
    membership = Membership.objects.get(agent=personas["agent"], quartier=ouest)
    as_role("chef").post(
        reverse("teams:membership_end", args=[ouest.slug, membership.pk]),
        {"end_date": (membership.start_date - datetime.timedelta(days=1)).isoformat()},
    )
    membership.refresh_from_db()
    assert membership.end_date is None


@pytest.mark.parametrize("role", ["agent", "elu", "direction", "outsider", "responsable"])
def test_only_the_chef_manages_the_team(as_role, personas, ouest, role):
    membership = Membership.objects.get(agent=personas["agent"], quartier=ouest)
    response = as_role(role).post(
        reverse("teams:membership_end", args=[ouest.slug, membership.pk]),
        {"end_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.end_date is None


# Profile and photo ------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), "teal")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (50.0, 17.0, 30.0), 3: "E", 4: (2.0, 46.0, 10.0)}  # GPSInfo
    exif[0x0112] = 6  # orientation: rotate 90°
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_profile_photo_is_reencoded_without_gps_and_served_behind_access(as_role, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the fixture does carry GPS
    client = as_role("agent")
    response = client.post(
        reverse("teams:profile_edit"),
        {
            "job_title": "Animateur jeunesse",
            "phone": "03 21 00 00 00",
            "notification_frequency": "daily",
            "photo_upload": SimpleUploadedFile("me.jpg", raw, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    agent = Agent.objects.get(pk=personas["agent"].pk)
    assert agent.notification_frequency == "daily"
    photo = client.get(reverse("teams:agent_photo", args=[agent.pk]))
    stored = Image.open(io.BytesIO(b"".join(photo.streaming_content)))
    assert not stored.getexif()  # no EXIF at all, GPS included
    assert stored.size[0] < stored.size[1]  # rotated by the EXIF orientation
    # Someone who cannot see the agent cannot fetch the photo either.
    assert as_role("outsider").get(reverse("teams:agent_photo", args=[agent.pk])).status_code == 404


def test_a_non_image_is_refused_and_the_form_kept(as_role, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_role("agent").post(
        reverse("teams:profile_edit"),
        {
            "job_title": "Nouveau titre",
            "phone": "",
            "notification_frequency": "immediate",
            "photo_upload": SimpleUploadedFile(
                "me.jpg", b"<html>not an image</html>", content_type="image/jpeg"
            ),
        },
    )
    assert response.status_code == 200
    assert "Nouveau titre" in response.content.decode()
    agent = Agent.objects.get(pk=personas["agent"].pk)
    assert agent.job_title == "Animateur jeunesse" and not agent.photo


# Query counts: constant whatever the size of the team -----------------------------------------


def grow_team(ouest, services, n):
    for i in range(n):
        join(
            make_agent(f"extra{i}@test.example", service=services["ccas"], job_title="Agent"), ouest
        )


@pytest.mark.parametrize("extra", [0, 15])
def test_query_counts_are_pinned(
    as_role, personas, ouest, services, extra, django_assert_num_queries
):
    grow_team(ouest, services, extra)
    client = as_role("chef")
    pages = {
        # 7 for every page: session read, user, roles (memberships, managed services), and the
        # session's idle-timeout renewal (savepoint, update, release); then the page's own.
        # the quartier page: 4 of its own + the panels of observations (2), meetings, walks and
        # diagnostics (1 each)
        reverse("teams:quartier_detail", args=[ouest.slug]): 7 + 4 + 5,
        reverse("teams:annuaire"): 7 + 4,
        reverse("teams:agent_detail", args=[personas["agent"].pk]): 7 + 2,
        reverse("teams:service_list"): 7 + 1,
        reverse("teams:team_manage", args=[ouest.slug]): 7 + 3,
        # the dashboard: 3 of its own (my quartiers, their chefs, a few others) + the panels of
        # observations (2), meetings (2), diagnostics (1)
        reverse("home"): 7 + 3 + 5,
        reverse("teams:quartier_list"): 7 + 3,
    }
    for url, count in pages.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200, url
