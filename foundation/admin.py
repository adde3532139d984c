"""The outbox in the admin: what waits, runs or failed, and a way to hand a failed task over again."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation import mail, outbox
from foundation.models import MailDelivery, OutboxJob


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    list_display = ["task_name", "state", "created_at", "started_at", "finished_at", "attempts"]
    list_filter = ["state", "task_name"]
    search_fields = ["task_name", "error"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxJob._meta.fields]
    actions = ["hand_over_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Relancer les tâches en échec sélectionnées"))
    def hand_over_again(self, request: HttpRequest, queryset: QuerySet[OutboxJob]) -> None:
        failed = list(queryset.filter(state=OutboxJob.State.FAILED).values_list("pk", flat=True))
        count = OutboxJob.objects.filter(pk__in=failed).update(
            state=OutboxJob.State.PENDING, attempts=0, due_at=timezone.now(), error=""
        )
        if outbox.runs_in_process():  # no broker, no relay: run them here
            outbox.hand_over(OutboxJob.objects.filter(pk__in=failed))
        self.message_user(request, _("%(count)d tâche(s) relancée(s).") % {"count": count})


@admin.register(MailDelivery)
class MailDeliveryAdmin(admin.ModelAdmin):
    """Each email of a letter: "à vérifier" ones (a worker died while sending them, the mail
    server may have accepted them) are resent only on someone's decision."""

    list_display = ["letter", "email", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "task_name"]
    search_fields = ["letter", "email"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in MailDelivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Renvoyer les courriels non servis sélectionnés"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[MailDelivery]) -> None:
        count = mail.resend(queryset)
        self.message_user(request, _("%(count)d courriel(s) renvoyé(s).") % {"count": count})
