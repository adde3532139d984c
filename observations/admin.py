from django.contrib import admin

from observations.models import (
    Category,
    Comment,
    Escalation,
    EscalationDigest,
    NeedType,
    Notification,
    Observation,
    Orientation,
    Photo,
    StatusChange,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "default_service", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


#: The photos' and the status changes' columns, shown read-only (the history is never edited).
PHOTO_FIELDS = ("image", "thumbnail", "width", "height", "uploaded_by", "created_at")
STATUS_CHANGE_FIELDS = (
    "changed_at",
    "changed_by",
    "from_status",
    "to_status",
    "closing_reason",
    "service",
    "comment",
)


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = PHOTO_FIELDS
    readonly_fields = PHOTO_FIELDS
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False  # photos go through the sanitising pipeline of the form, never the raw admin upload


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = STATUS_CHANGE_FIELDS
    readonly_fields = STATUS_CHANGE_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    raw_id_fields = ["author"]


class EscalationInline(admin.StackedInline):
    model = Escalation
    extra = 0
    raw_id_fields = ["escalated_by", "answered_by"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "quartier",
        "category",
        "status",
        "urgency",
        "confidentiality",
        "service",
        "observed_at",
    ]
    list_filter = [
        "quartier",
        "status",
        "urgency",
        "confidentiality",
        "is_emerging",
        "category",
        "service",
    ]
    search_fields = ["title", "place"]
    date_hierarchy = "observed_at"
    list_select_related = ["quartier", "category", "service"]
    raw_id_fields = ["author", "duplicate_of", "priority"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PhotoInline, StatusChangeInline, CommentInline, EscalationInline]
    show_full_result_count = False


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["id", "observation", "width", "height", "created_at"]
    raw_id_fields = ["observation", "uploaded_by"]
    readonly_fields = ["image", "thumbnail", "width", "height"]

    def has_add_permission(self, request):
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["observation", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    raw_id_fields = ["observation", "changed_by"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["observation", "author", "created_at"]
    raw_id_fields = ["observation", "author"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["observation", "escalated_by", "created_at", "answered_at"]
    list_filter = ["answered_at"]
    raw_id_fields = ["observation", "escalated_by", "answered_by"]


@admin.register(EscalationDigest)
class EscalationDigestAdmin(admin.ModelAdmin):
    list_display = ["month", "status", "attempts", "finished_at", "emailed_at"]
    readonly_fields = [
        "file",
        "checksum",
        "error",
        "started_at",
        "finished_at",
        "attempts",
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "message", "created_at", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "observation"]


@admin.register(NeedType)
class NeedTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "default_service", "is_active", "position"]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Orientation)
class OrientationAdmin(admin.ModelAdmin):
    list_display = ["oriented_on", "quartier", "need", "service", "logged_by"]
    list_filter = ["quartier", "need", "service"]
    date_hierarchy = "oriented_on"
    raw_id_fields = ["logged_by"]
