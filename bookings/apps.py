from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Réservations de la MSP")

    def ready(self) -> None:
        from bookings.models import Booking, Place, Resource
        from bookings.selectors import scopes_of_booking
        from foundation.generations import bump_on_change

        bump_on_change(Booking, scopes_of_booking)
        bump_on_change(Resource, lambda resource: [f"place:{resource.place_id}"])
        bump_on_change(Place, lambda place: [f"place:{place.pk}"])
