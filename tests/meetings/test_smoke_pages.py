from django.urls import reverse

from tests.meetings.factories import add_item


def test_pages_render_for_chef(as_role, meeting, ouest, personas):
    add_item(meeting, personas["agent"], "Propreté", 30)
    client = as_role("chef")
    for url in [
        reverse("meetings:index"),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:agenda", args=[meeting.pk]),
        reverse("meetings:invitations", args=[meeting.pk]),
        reverse("meetings:quartier_calendar", args=[ouest.slug]),
        reverse("meetings:plan_year", args=[ouest.slug]),
        reverse("meetings:actions_board", args=[ouest.slug]),
        reverse("meetings:my_actions"),
        reverse("meetings:my_agenda"),
        reverse("meetings:create"),
        reverse("home"),
        reverse("teams:quartier_detail", args=[ouest.slug]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
