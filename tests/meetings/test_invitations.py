"""Invitations: the team by default, partners added, answers, attendance after the meeting only."""

from django.urls import reverse

from meetings.models import Invitation, Meeting
from teams.models import ExternalParticipant, Partner
from tests.meetings.factories import make_meeting


def test_default_invitees_by_kind(personas, ouest):
    equipe = make_meeting(ouest, personas["chef"])
    assert {i.agent for i in equipe.invitations.all()} == {personas["agent"], personas["chef"]}
    breakfast = make_meeting(ouest, personas["chef"], days=30, kind=Meeting.Kind.PETIT_DEJEUNER)
    agents = {i.agent for i in breakfast.invitations.all()}
    assert personas["elu"] in agents and personas["maire"] in agents
    partner = Partner.objects.get(name="Centre social")
    person = ExternalParticipant.objects.create(
        first_name="Karima", last_name="Z", email="k@cs.example", organisation=partner
    )
    person.quartiers.add(ouest)
    ett = make_meeting(ouest, personas["chef"], days=45, kind=Meeting.Kind.ETT)
    assert ett.invitations.filter(external=person).exists()


def test_chef_invites_a_partner_and_the_agent_answers(as_role, personas, ouest, meeting):
    partner = Partner.objects.get(name="Centre social")
    person = ExternalParticipant.objects.create(
        first_name="Karima", last_name="Z", email="k@cs.example", organisation=partner
    )
    person.quartiers.add(ouest)
    response = as_role("chef").post(
        reverse("meetings:invitations", args=[meeting.pk]), {"partner": partner.pk}
    )
    assert response.status_code == 302
    assert meeting.invitations.filter(external=person).exists()
    empty = as_role("chef").post(reverse("meetings:invitations", args=[meeting.pk]), {})
    assert "Choisissez au moins une personne" in empty.content.decode()
    as_role("agent").post(reverse("meetings:rsvp", args=[meeting.pk]), {"response": "maybe"})
    assert meeting.invitations.get(agent=personas["agent"]).response == Invitation.Response.MAYBE


def test_attendance_only_once_the_meeting_started(as_role, personas, meeting, past_meeting):
    mine = meeting.invitations.get(agent=personas["agent"])
    as_role("chef").post(reverse("meetings:attendance", args=[meeting.pk]), {"present": [mine.pk]})
    mine.refresh_from_db()
    assert mine.attended is None
    theirs = past_meeting.invitations.get(agent=personas["agent"])
    as_role("chef").post(
        reverse("meetings:attendance", args=[past_meeting.pk]), {"present": [theirs.pk]}
    )
    theirs.refresh_from_db()
    past_meeting.refresh_from_db()
    assert (
        theirs.attended is True
        and past_meeting.invitations.get(agent=personas["chef"]).attended is False
    )
    assert past_meeting.status == Meeting.Status.HELD
