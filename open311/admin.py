"""Administration: partner keys (the key shown once, at creation), extra fields, deliveries."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from open311 import services
from open311.models import ApiKey, ServiceAttribute, Submission, WebhookDelivery


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["partner", "key_hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["partner"]
    filter_horizontal = ["quartiers"]
    readonly_fields = ["key_hint", "created_at", "last_used_at"]
    fields = [
        "partner",
        "quartiers",
        "webhook_url",
        "key_hint",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        clear = None if change else services.api_key_issue(obj)
        super().save_model(request, obj, form, change)
        if clear:
            messages.warning(
                request,
                _(
                    "Clé d'API de %(partner)s : %(key)s — copiez-la maintenant, elle ne sera "
                    "plus affichée. Secret de signature des webhooks : %(secret)s"
                )
                % {"partner": obj.partner, "key": clear, "secret": obj.webhook_secret},
            )

    @admin.action(description=_("Révoquer les clés choisies"))
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.api_key_revoke(api_key=api_key)
        self.message_user(request, _("Clés révoquées."))


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "code", "description", "datatype", "required", "order"]
    list_filter = ["category"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["token", "api_key", "state", "observation", "created_at", "error"]
    list_filter = ["state"]
    list_select_related = ["api_key", "observation"]
    readonly_fields = [
        "token",
        "api_key",
        "state",
        "payload",
        "media_url",
        "observation",
        "error",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "api_key", "observation_id", "state", "attempts", "last_error"]
    list_filter = ["state"]
    list_select_related = ["api_key"]
    readonly_fields = [
        "api_key",
        "observation",
        "url",
        "payload",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Renvoyer les envois en échec"))
    def resend(self, request, queryset):
        sent = sum(services.webhook_resend(delivery=delivery) for delivery in queryset)
        self.message_user(
            request,
            ngettext("%(n)s envoi relancé.", "%(n)s envois relancés.", sent) % {"n": sent},
        )
