from django.contrib import admin

from bookings.models import Booking, Place, Resource


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ["kind", "name", "capacity", "out_of_service", "out_of_service_reason", "audience"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "address"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["quartiers"]
    inlines = [ResourceInline]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "kind", "out_of_service", "audience"]
    list_filter = ["kind", "out_of_service", "place"]
    list_select_related = ["place"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["resource", "booker", "start", "end", "cancelled_at"]
    list_filter = ["resource__place", "resource__kind"]
    list_select_related = ["resource__place", "booker"]
    raw_id_fields = ["booker", "cancelled_by"]
    date_hierarchy = "start"
