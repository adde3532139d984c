"""Administration of the foundation: the security journal, read-only."""

from __future__ import annotations

from datetime import UTC

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arras_quartiers.models import AuditEvent

#: Shown in this order, and all read-only: the journal is never edited.
JOURNAL_FIELDS = (
    "occurred_utc",
    "event",
    "actor",
    "actor_label",
    "target_type",
    "target_id",
    "target_label",
    "ip_address",
    "path",
    "details",
)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_utc",
        "event",
        "actor_label",
        "target_type",
        "target_label",
        "ip_address",
    ]
    list_filter = ["event", ("occurred_at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "target_label", "target_id", "ip_address", "path"]
    date_hierarchy = "occurred_at"
    list_select_related = False
    show_full_result_count = False
    fields = JOURNAL_FIELDS
    readonly_fields = JOURNAL_FIELDS

    @admin.display(description=_("date (UTC)"), ordering="occurred_at")
    def occurred_utc(self, event: AuditEvent) -> str:
        return event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
