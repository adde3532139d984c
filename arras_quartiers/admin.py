"""Administration of the shell: the security journal (read-only), the sign-ins waiting for an
agent, the HR directory records and their import."""

from __future__ import annotations

import base64
from datetime import UTC

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from arras_quartiers import audit, hr
from arras_quartiers.models import AuditEvent, HRRecord, PendingSignIn

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


@admin.register(PendingSignIn)
class PendingSignInAdmin(admin.ModelAdmin):
    """People the city's provider signed in whom no agent matches: create or correct the
    agent (its address), then delete the entry."""

    list_display = [
        "email",
        "name",
        "to_attach",
        "email_verified",
        "attempts",
        "first_seen_at",
        "last_seen_at",
    ]
    list_filter = ["email_verified"]
    search_fields = ["email", "name", "subject"]
    readonly_fields = [
        "subject",
        "email",
        "email_verified",
        "name",
        "first_seen_at",
        "last_seen_at",
        "attempts",
        "to_attach",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("rattacher"))
    def to_attach(self, obj: PendingSignIn) -> str:
        """The agent's add form filled with what the provider said, and the agents of that
        name (to correct an address)."""
        first, _sep, last = obj.name.partition(" ")
        add = (
            reverse("admin:teams_agent_add")
            + "?"
            + urlencode({"email": obj.email, "first_name": first, "last_name": last})
        )
        search = reverse("admin:teams_agent_changelist") + "?" + urlencode({"q": last or obj.email})
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            add,
            _("Créer l'agent"),
            search,
            _("Chercher un agent de ce nom"),
        )


class HRImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export du SIRH (CSV ou XLSX)"),
        help_text=_("CSV (séparateur « ; » ou « , », UTF-8) ou XLSX (première feuille)."),
    )
    full = forms.BooleanField(
        label=_("Export complet : les agents absents du fichier sont partis"), required=False
    )


HR_SESSION_KEY = "aq_hr_import"


@admin.register(HRRecord)
class HRRecordAdmin(admin.ModelAdmin):
    list_display = ["matricule", "agent", "departure_date", "departed_at", "imported_at"]
    search_fields = ["matricule", "agent__email", "agent__last_name"]
    list_select_related = ["agent"]
    raw_id_fields = ["agent"]
    readonly_fields = ["departed_at", "imported_at"]
    change_list_template = "admin/arras_quartiers/hrrecord/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="arras_quartiers_hrrecord_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload → dry-run diff → "Appliquer" (the same file, kept in the session, applied only
        if its diff is still the one shown)."""
        if not (request.user.is_superuser or self.has_add_permission(request)):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        context["title"] = _("Import depuis le SIRH")
        context["columns"] = hr.COLUMN_HELP
        form = HRImportForm()
        if request.method == "POST" and "apply" in request.POST:
            stored = request.session.get(HR_SESSION_KEY)
            if not stored:
                messages.error(request, _("Déposez de nouveau le fichier."))
                return redirect("admin:arras_quartiers_hrrecord_import")
            try:
                result = hr.plan(
                    hr.parse(base64.b64decode(stored["content"]), stored["name"]),
                    full=stored["full"],
                )
                if result.lines() != stored.get("lines"):
                    # Not what the administrator read: show the new dry run, apply nothing.
                    request.session[HR_SESSION_KEY] = {**stored, "lines": result.lines()}
                    messages.warning(
                        request,
                        _(
                            "Les données ont changé depuis l'essai à blanc : rien n'a été "
                            "appliqué. Relisez ce nouvel essai, puis appliquez-le."
                        ),
                    )
                    context.update(plan_lines=result.lines(), can_apply=not result.empty, form=form)
                    return render(request, "admin/arras_quartiers/hr_import.html", context)
                result = hr.apply(result)
            except hr.ImportRejected as exc:
                context.update(errors=exc.lines(), form=form)
                return render(request, "admin/arras_quartiers/hr_import.html", context)
            del request.session[HR_SESSION_KEY]
            audit.record(
                audit.HR_IMPORT,
                request=request,
                file=stored["name"],
                created=len(result.creations),
                updated=len(result.updates),
                deactivated=len(result.departures),
            )
            context.update(plan_lines=result.lines(), applied=True, form=form)
            return render(request, "admin/arras_quartiers/hr_import.html", context)
        if request.method == "POST":
            form = HRImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read()
                try:
                    result = hr.plan(hr.parse(content, upload.name), full=form.cleaned_data["full"])
                except hr.ImportRejected as exc:
                    context.update(errors=exc.lines(), form=form)
                    return render(request, "admin/arras_quartiers/hr_import.html", context)
                request.session[HR_SESSION_KEY] = {
                    "content": base64.b64encode(content).decode(),
                    "name": upload.name,
                    "full": form.cleaned_data["full"],
                    "lines": result.lines(),
                }
                context.update(plan_lines=result.lines(), can_apply=not result.empty)
        context["form"] = form
        return render(request, "admin/arras_quartiers/hr_import.html", context)
