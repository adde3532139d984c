from django.contrib import admin

from diagnostics.models import (
    Contribution,
    Diagnostic,
    DiagnosticDocument,
    DiagnosticVersion,
    Section,
)


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["kind", "priority", "title", "position", "body"]


@admin.register(Diagnostic)
class DiagnosticAdmin(admin.ModelAdmin):
    list_display = ["quartier", "year", "status", "published_version"]
    list_filter = ["status", "quartier", "year"]
    list_select_related = ["quartier"]
    readonly_fields = ["published_version", "validated_by", "validated_at", "status_changed_at"]
    inlines = [SectionInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["section", "author", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["section", "author"]


@admin.register(DiagnosticVersion)
class DiagnosticVersionAdmin(admin.ModelAdmin):
    """Published versions are records: readable here, never changed."""

    list_display = ["diagnostic", "number", "published_at", "published_by", "notified_at"]
    list_select_related = ["diagnostic__quartier", "published_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DiagnosticDocument)
class DiagnosticDocumentAdmin(admin.ModelAdmin):
    list_display = ["diagnostic", "version", "status", "requested_by", "requested_at", "checksum"]
    list_filter = ["status"]
    list_select_related = ["diagnostic__quartier", "version", "requested_by"]
    readonly_fields = ["snapshot", "data_checksum", "checksum", "file"]
