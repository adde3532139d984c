from django.contrib import admin

from meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    CalendarFeedToken,
    Invitation,
    Meeting,
    MinutesDocument,
    WorkingGroup,
)


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active", "quartiers"]
    search_fields = ["name", "description"]
    filter_horizontal = ["quartiers", "members", "external_members"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    raw_id_fields = ["agent", "external"]


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    fk_name = "meeting"
    extra = 0
    raw_id_fields = ["proposed_by", "merged_into", "deferred_from", "observations"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "quartier",
        "working_group",
        "status",
        "start",
        "agenda_version",
        "minutes_version",
    ]
    list_filter = ["kind", "status", "quartier"]
    search_fields = ["title", "place"]
    date_hierarchy = "start"
    list_select_related = ["quartier", "working_group"]
    raw_id_fields = ["organiser"]
    inlines = [InvitationInline, AgendaItemInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due_date", "status", "quartier"]
    list_filter = ["status", "quartier"]
    search_fields = ["title", "description"]
    list_select_related = ["owner", "quartier"]
    raw_id_fields = ["meeting", "agenda_item", "owner", "observation"]
    filter_horizontal = ["services"]


class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "meeting",
        "version",
        "status",
        "attempts",
        "requested_at",
        "finished_at",
        "emails_sent_at",
    ]
    list_filter = ["status"]
    list_select_related = ["meeting"]
    raw_id_fields = ["meeting", "requested_by"]
    readonly_fields = [
        "checksum",
        "error",
        "started_at",
        "finished_at",
        "emails_sent_at",
    ]


admin.site.register(AgendaDocument, DocumentAdmin)
admin.site.register(MinutesDocument, DocumentAdmin)


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["agent", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["agent"]
    raw_id_fields = ["agent"]
    exclude = ["token"]
