"""The security journal: who did what that matters for security, when (UTC), from where.

Feature apps call `record(event, user=..., target=..., **details)` for their exports and
publications, e.g.::

    from arras_quartiers import audit
    audit.record(audit.PUBLICATION, user=request.user, target=diagnostic, version=3)

`user` and the request default to those of the request being served (set by
`arras_quartiers.security.SecurityMiddleware`), so a service called from a view needs no
request argument. Recording never breaks the action it records: a failure is logged.

The events of the foundation are recorded here, from signals: logins, logouts, failed logins,
MFA changes, password changes, changes of rights (memberships added, ended or removed;
is_staff, is_superuser, is_active), and by the middleware: explicit refusals (403), rate
limits reached (429), sessions ended by the absolute lifetime.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

logger = logging.getLogger(__name__)

LOGIN = "login"
LOGOUT = "logout"
LOGIN_FAILED = "login_failed"
RATE_LIMITED = "rate_limited"
SESSION_EXPIRED = "session_expired"
PERMISSION_DENIED = "permission_denied"
MFA_ADDED = "mfa_added"
MFA_REMOVED = "mfa_removed"
MFA_FAILED = "mfa_failed"
MFA_REQUIRED = "mfa_required"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
ROLE_ADDED = "role_added"
ROLE_ENDED = "role_ended"
ROLE_REMOVED = "role_removed"
RIGHTS_CHANGED = "rights_changed"
ACCOUNT_DEACTIVATED = "account_deactivated"
EXPORT = "export"
PUBLICATION = "publication"
SSO_NOT_ATTACHED = "sso_not_attached"
HR_IMPORT = "hr_import"
DELETION = "deletion"
RESTORATION = "restoration"

#: The request being served, for records made deep in a service or a signal.
current_request: ContextVar = ContextVar("audit_current_request", default=None)


def _client_ip(request) -> str | None:
    try:
        from allauth.core.internal.httpkit import get_client_ip

        ip = get_client_ip(request)
    except Exception:  # noqa: BLE001 - an unexpected proxy header must not hide the event
        ip = request.META.get("REMOTE_ADDR")
    return ip or None


def record(event: str, *, user=None, target=None, request=None, **details) -> None:
    """Write one event to the journal (after the current transaction commits)."""
    from arras_quartiers.models import AuditEvent

    request = request or current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    actor = user if getattr(user, "is_authenticated", False) else None
    target_label = details.pop("target_label", None)
    label = details.pop("actor_label", "") or (getattr(actor, "email", "") if actor else "")
    fields = {
        "event": event,
        "actor_id": actor.pk if actor else None,
        "actor_label": str(label)[:320],
        "details": {key: _jsonable(value) for key, value in details.items()},
    }
    if target is not None:
        fields["target_type"] = target._meta.label_lower
        fields["target_id"] = str(target.pk)[:64]
        fields["target_label"] = str(target_label or target)[:255]
    if request is not None:
        fields["ip_address"] = _client_ip(request)
        fields["path"] = request.get_full_path()[:500]

    def write():
        try:
            AuditEvent.objects.create(**fields)
        except Exception:  # noqa: BLE001 - the journal never breaks what it records
            logger.exception("Could not record the audit event %s", event)

    transaction.on_commit(write)
    logger.debug(
        "audit %s actor=%s target=%s", event, fields["actor_label"], fields.get("target_label")
    )


def _jsonable(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


# Authentication ---------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender, request, user, **kwargs):
    record(LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the identifier typed: `credentials` never carries the password in clear, and we
    # keep nothing of it anyway.
    login = next(
        (credentials.get(k) for k in ("email", "login", "username") if credentials.get(k)), ""
    )
    record(LOGIN_FAILED, user=None, request=request, actor_label=str(login)[:320])


def _connect_allauth_signals() -> None:
    from allauth.account.signals import password_changed, password_reset
    from allauth.mfa.signals import (
        authentication_failed,
        authenticator_added,
        authenticator_removed,
        authenticator_reset,
    )

    def on_password(sender, request, user, **kwargs):
        record(PASSWORD_CHANGED, user=user, request=request)

    def on_mfa_added(sender, request, user, authenticator, **kwargs):
        record(MFA_ADDED, user=user, request=request, type=authenticator.type)

    def on_mfa_removed(sender, request, user, authenticator, **kwargs):
        record(MFA_REMOVED, user=user, request=request, type=authenticator.type)

    def on_mfa_reset(sender, request, user, authenticator, **kwargs):
        record(MFA_ADDED, user=user, request=request, type=authenticator.type, reset=True)

    def on_mfa_failed(sender, request, user, **kwargs):
        record(MFA_FAILED, user=None, request=request, actor_label=getattr(user, "email", ""))

    password_changed.connect(on_password, dispatch_uid="audit_password_changed", weak=False)
    password_reset.connect(on_password, dispatch_uid="audit_password_reset", weak=False)
    authenticator_added.connect(on_mfa_added, dispatch_uid="audit_mfa_added", weak=False)
    authenticator_removed.connect(on_mfa_removed, dispatch_uid="audit_mfa_removed", weak=False)
    authenticator_reset.connect(on_mfa_reset, dispatch_uid="audit_mfa_reset", weak=False)
    authentication_failed.connect(on_mfa_failed, dispatch_uid="audit_mfa_failed", weak=False)


# Rights ----------------------------------------------------------------------------------------

RIGHT_FLAGS = ("is_staff", "is_superuser", "is_active", "is_comite_direction", "is_maire")


def _connect_model_signals() -> None:
    from teams.models import Agent, Membership

    @receiver(pre_save, sender=Agent, dispatch_uid="audit_agent_pre_save", weak=False)
    def remember_rights(sender, instance, update_fields=None, **kwargs):
        instance._audit_rights_before = None
        if update_fields is not None and not set(update_fields) & set(RIGHT_FLAGS):
            return  # e.g. last_login at each login: no extra query
        if instance.pk:
            before = (
                Agent.objects.filter(pk=instance.pk)
                .values(*[f for f in RIGHT_FLAGS if hasattr(instance, f)])
                .first()
            )
            instance._audit_rights_before = before

    @receiver(post_save, sender=Agent, dispatch_uid="audit_agent_post_save", weak=False)
    def rights_changed(sender, instance, created, **kwargs):
        before = getattr(instance, "_audit_rights_before", None)
        if created:
            granted = {f: True for f in RIGHT_FLAGS if getattr(instance, f, False)}
            granted.pop("is_active", None)
            if granted:
                record(RIGHTS_CHANGED, target=instance, **{f: [False, True] for f in granted})
            return
        if not before:
            return
        changes = {
            field: [old, getattr(instance, field)]
            for field, old in before.items()
            if old != getattr(instance, field)
        }
        if changes:
            record(RIGHTS_CHANGED, target=instance, **changes)
        if changes.get("is_active") == [True, False]:
            record(ACCOUNT_DEACTIVATED, target=instance)

    @receiver(pre_save, sender=Membership, dispatch_uid="audit_membership_pre_save", weak=False)
    def remember_membership(sender, instance, update_fields=None, **kwargs):
        instance._audit_end_before = (
            Membership.objects.filter(pk=instance.pk).values_list("end_date", flat=True).first()
            if instance.pk
            else None
        )

    @receiver(post_save, sender=Membership, dispatch_uid="audit_membership_post_save", weak=False)
    def membership_saved(sender, instance, created, **kwargs):
        # Ids only: no extra query in the request that changes a team.
        details = {
            "agent_id": instance.agent_id,
            "quartier_id": instance.quartier_id,
            "role": instance.role,
            "target_label": f"membership {instance.pk}",
        }
        if created:
            record(ROLE_ADDED, target=instance, start_date=instance.start_date, **details)
        elif instance.end_date and instance.end_date != getattr(
            instance, "_audit_end_before", None
        ):
            record(ROLE_ENDED, target=instance, end_date=instance.end_date, **details)

    @receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_delete", weak=False)
    def membership_deleted(sender, instance, **kwargs):
        record(
            ROLE_REMOVED,
            target=instance,
            target_label=f"membership {instance.pk}",
            agent_id=instance.agent_id,
            quartier_id=instance.quartier_id,
            role=instance.role,
        )


#: Rows whose creation is a publication (a document sent to people, a version made public).
#: By label, so that the foundation imports nothing from the apps built on it.
PUBLICATION_MODELS = [
    "meetings.AgendaDocument",
    "meetings.MinutesDocument",
    "diagnostics.DiagnosticVersion",
]
#: Views whose successful answer is an export or a download of documents.
EXPORT_VIEWS = {
    "observations:export",
    "observations:digest_download",
    "meetings:document_download",
    "diagnostics:version_pdf",
    "diagnostics:document_download",
    "documents:download",
}
#: Rows put in a bin (their `deleted_at` set or cleared by a save naming it) and erased.
BIN_MODELS = ["documents.Document"]


def _connect_publications() -> None:
    from django.apps import apps

    def published(sender, instance, created, **kwargs):
        if created:
            number = getattr(instance, "version", None) or getattr(instance, "number", None)
            record(PUBLICATION, target=instance, version=number)

    for label in PUBLICATION_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(
            published, sender=model, dispatch_uid=f"audit_publication_{label}", weak=False
        )


def _connect_bins() -> None:
    from django.apps import apps

    def binned(sender, instance, created, update_fields=None, **kwargs):
        if created or not update_fields or "deleted_at" not in update_fields:
            return
        if instance.deleted_at is not None:
            record(DELETION, target=instance, state="corbeille")
        else:
            record(RESTORATION, target=instance)

    def erased(sender, instance, **kwargs):
        record(DELETION, target=instance, state="effacé")

    for label in BIN_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(binned, sender=model, dispatch_uid=f"audit_bin_{label}", weak=False)
        post_delete.connect(erased, sender=model, dispatch_uid=f"audit_erase_{label}", weak=False)


def connect() -> None:
    """Connect the receivers of other apps' signals (once the app registry is ready).

    Called by `ArrasQuartiersConfig.ready()` in every process; idempotent (dispatch_uid).
    """
    _connect_allauth_signals()
    _connect_model_signals()
    _connect_publications()
    _connect_bins()
