"""Bookings at phone width: an agent books a bike, then finds a slot taken, refused with the next
free slots proposed, takes one of them; every page checked by axe."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Resource
from tests.bookings.factories import book, make_place, make_resource
from tests.e2e.browser import check_accessibility, login, step, submit, tab_to, visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_books_a_bike_from_a_phone_and_a_clash_is_refused_with_proposals(
    phone_page, personas, ouest
):
    page = phone_page
    msp = make_place(ouest)
    bike = make_resource(msp, "Vélo n° 1", audience=Resource.Audience.EVERYONE)
    make_resource(msp, "Véhicule électrique", kind=Resource.Kind.VEHICLE)
    day = timezone.localdate() + datetime.timedelta(days=2)
    book(bike, personas["chef"], days=2, hour=14, minutes=60, purpose="Marché")

    login(page, personas["agent"])
    visit(page, reverse("bookings:index"))
    page.get_by_role("link", name="MSP Marie-Thérèse Lenoir").click()
    check_accessibility(page)
    step(page, "book the bike from the place's page")
    page.get_by_role("link", name="Réserver Vélo n° 1").click()
    check_accessibility(page)
    page.get_by_label("Jour").fill(day.isoformat())
    page.get_by_label("Heure de début").fill("10:00")
    page.get_by_label("Heure de fin").fill("11:00")
    page.get_by_label("Objet").fill("Repérage cadre de vie")
    submit(page, page.get_by_role("button", name="Réserver", exact=True).click)
    assert page.get_by_text("C'est réservé").is_visible()
    check_accessibility(page)
    assert Booking.objects.filter(booker=personas["agent"], resource=bike).count() == 1

    step(page, "a slot already taken is refused, with free slots proposed")
    visit(page, reverse("bookings:book", args=[bike.pk]))
    page.get_by_label("Jour").fill(day.isoformat())
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_label("Heure de fin").fill("15:00")
    submit(page, page.get_by_role("button", name="Réserver", exact=True).click)
    assert page.get_by_text("est déjà réservé sur ce créneau").first.is_visible()
    proposals = page.get_by_role("region", name="Créneaux libres de même durée")
    assert proposals.get_by_role("button").count() == 3
    check_accessibility(page)
    step(page, "take the first proposal")
    submit(page, proposals.get_by_role("button").first.click)
    assert page.get_by_text("C'est réservé").is_visible()
    taken = Booking.objects.filter(booker=personas["agent"]).order_by("start")
    assert [timezone.localtime(b.start).strftime("%H:%M") for b in taken] == ["10:00", "15:00"]
    step(page, "the booking is cancelled with the keyboard alone")
    booking = taken.last()
    tab_to(page, f'form[action="{reverse("bookings:cancel", args=[booking.pk])}"] button')
    submit(page, lambda: page.keyboard.press("Enter"))
    booking.refresh_from_db()
    assert booking.is_cancelled and page.get_by_text("Réservation annulée").is_visible()
    check_accessibility(page)
    # The phone page has no horizontal scroll.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
