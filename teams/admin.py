from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from teams import services
from teams.models import (
    Agent,
    ExternalParticipant,
    Membership,
    Partner,
    Priority,
    Quartier,
    Service,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agent"]


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = [
        "email",
        "last_name",
        "first_name",
        "job_title",
        "service",
        "is_active",
        "is_staff",
    ]
    list_filter = ["service", "is_active", "is_staff", "is_comite_direction", "is_maire"]
    search_fields = ["email", "first_name", "last_name", "job_title"]
    list_select_related = ["service"]
    autocomplete_fields = ["service", "manager"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Identité"),
            {"fields": ["first_name", "last_name", "job_title", "phone", "photo", "arrival_date"]},
        ),
        (_("Organisation"), {"fields": ["service", "manager", "is_comite_direction", "is_maire"]}),
        (_("Préférences"), {"fields": ["notification_frequency"]}),
        (
            _("Droits"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                # "Désactivée": an agent who signs in through the city's provider only.
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            services.agent_update(agent=obj)  # a deactivated account loses its sessions
        else:
            super().save_model(request, obj, form, change)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "direction", "contact_email", "contact_phone"]
    search_fields = ["name", "direction", "offer", "keywords"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["responsables"]


@admin.register(Quartier)
class QuartierAdmin(admin.ModelAdmin):
    list_display = ["name", "meeting_place"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PriorityInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["agent", "quartier", "role", "start_date", "end_date"]
    list_filter = ["quartier", "role"]
    search_fields = ["agent__first_name", "agent__last_name", "agent__email"]
    list_select_related = ["agent", "quartier"]
    autocomplete_fields = ["agent"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email"]
    list_filter = ["kind", "quartiers"]
    search_fields = ["name"]
    filter_horizontal = ["quartiers"]


@admin.register(ExternalParticipant)
class ExternalParticipantAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "organisation", "is_conseil_citoyen"]
    list_filter = ["is_conseil_citoyen", "quartiers"]
    search_fields = ["first_name", "last_name", "email"]
    list_select_related = ["organisation"]
    filter_horizontal = ["quartiers"]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["title", "quartier", "position", "is_active"]
    list_filter = ["quartier", "is_active"]
    search_fields = ["title"]
