from django.contrib import admin

from documents.models import Document, DocumentVersion, Folder, Space


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "quartier", "working_group"]
    list_select_related = ["quartier", "working_group"]


@admin.register(Folder)
class FolderAdmin(admin.ModelAdmin):
    list_display = ["name", "space", "kind"]
    list_filter = ["kind"]
    list_select_related = ["space__quartier", "space__working_group"]
    raw_id_fields = ["space", "priority", "meeting"]


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    fk_name = "document"
    extra = 0
    fields = readonly_fields = (
        "number",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    can_delete = False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read and correct the description; files are added and restored from the app's pages."""

    list_display = ["title", "space", "folder", "updated_at", "deleted_at"]
    list_filter = ["deleted_at"]
    list_select_related = ["space__quartier", "space__working_group", "folder"]
    search_fields = ["title"]
    raw_id_fields = ["space", "folder", "current_version", "created_by", "deleted_by"]
    filter_horizontal = ["tags"]
    exclude = ["agenda_items"]
    inlines = [VersionInline]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["document", "uploaded_by"]
    raw_id_fields = ["document", "uploaded_by", "restored_from"]
    readonly_fields = ["file", "checksum", "content_type", "extension", "size", "text_status"]
