"""The Celery app. Without a broker (REDIS_URL unset) tasks run eagerly, in-process.

A change asks for a task through the outbox (`foundation.outbox.enqueue`), whose relay runs in
each worker (`RelayStep`) and whose base class (`OutboxTask`) every task has; beat sends the
periodic ones below. The tasks are registered by autodiscovery when Django starts, in every
process (`ArrasQuartiersConfig.ready`).

Each task goes to a queue by kind of work (`ROUTES`), so that a burst of PDF renders never
delays an email: `documents` (renders: slow, memory-hungry), `mail` (every email, reminders
included), `default` (the rest: periodic sweeps and requests). `make worker` consumes the three;
production runs one worker per queue, each with its own concurrency and recycling (README). A
task missing from `ROUTES` still runs, on `default` (a test keeps the table complete).
"""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arras_quartiers.settings")

app = Celery("arras_quartiers", task_cls="foundation.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.steps["worker"].add("foundation.outbox:RelayStep")

DOCUMENTS, MAIL, DEFAULT = "documents", "mail", "default"
QUEUES = (DOCUMENTS, MAIL, DEFAULT)

#: The queue of every task, by name.
ROUTES = {
    # PDF renders: each asks for its emails (on `mail`) once its document is stored.
    "meetings.tasks.render_agenda": DOCUMENTS,
    "meetings.tasks.render_minutes": DOCUMENTS,
    "observations.tasks.render_escalation_digest": DOCUMENTS,
    "walks.tasks.render_report": DOCUMENTS,
    "diagnostics.tasks.render_diagnostic_document": DOCUMENTS,
    # Text extraction of shared documents (pdftotext, the ODF/OOXML XML): as heavy as a render.
    "documents.tasks.extract_text": DOCUMENTS,
    # Emails, and the reminders that send their own.
    "meetings.tasks.send_agenda": MAIL,
    "meetings.tasks.send_minutes": MAIL,
    "meetings.tasks.send_cancellation": MAIL,
    "meetings.tasks.remind_proposals": MAIL,
    "meetings.tasks.remind_meetings": MAIL,
    "meetings.tasks.remind_overdue_actions": MAIL,
    "observations.tasks.send_notifications": MAIL,
    "arras_quartiers.tasks.notify_pending_sign_in": MAIL,
    "observations.tasks.send_notification_digests": MAIL,
    "observations.tasks.send_stale_notifications": MAIL,
    "observations.tasks.send_escalation_digest": MAIL,
    "walks.tasks.send_letter": MAIL,
    "bookings.tasks.send_reminder": MAIL,
    "diagnostics.tasks.notify_publication": MAIL,
    "diagnostics.tasks.notify_review": MAIL,
    # Periodic sweeps and requests: they only ask for the tasks above.
    "foundation.tasks.sweep_mail_deliveries": DEFAULT,
    "observations.tasks.request_monthly_escalation_digest": DEFAULT,
    # A quartier's outline changed: its points flagged again (a keyset walk, no render).
    "observations.tasks.refresh_outside_flags": DEFAULT,
    "bookings.tasks.remind_vehicle_bookings": DEFAULT,
    # Short bookkeeping: filing a meeting's PDF among its documents, emptying the bin.
    "documents.tasks.file_meeting_pdf": DEFAULT,
    "documents.tasks.erase_expired": DEFAULT,
    # Partner systems (Open311): a media fetched, a webhook posted; network waits, not CPU.
    "open311.tasks.complete_submission": DEFAULT,
    "open311.tasks.deliver_webhook": DEFAULT,
}

app.conf.task_queues = [Queue(name, routing_key=name) for name in QUEUES]
app.conf.task_default_queue = DEFAULT
app.conf.task_default_routing_key = DEFAULT
app.conf.task_routes = {name: {"queue": queue} for name, queue in ROUTES.items()}

# Periodic jobs (celery beat). Each entry names a task owned by an app.
app.conf.beat_schedule = {
    "observations-notification-digests": {
        "task": "observations.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "observations-stale-notifications": {
        "task": "observations.tasks.send_stale_notifications",
        "schedule": crontab(minute="*/10"),
    },
    "observations-monthly-escalation-digest": {
        "task": "observations.tasks.request_monthly_escalation_digest",
        "schedule": crontab(day_of_month="1", hour=6, minute=30),
    },
    "meetings-remind-proposals": {
        "task": "meetings.tasks.remind_proposals",
        "schedule": crontab(hour=8, minute=0),
    },
    "meetings-remind-meetings": {
        "task": "meetings.tasks.remind_meetings",
        "schedule": crontab(hour=8, minute=10),
    },
    "foundation-sweep-mail-deliveries": {
        "task": "foundation.tasks.sweep_mail_deliveries",
        "schedule": crontab(minute="*/5"),
    },
    "bookings-remind-vehicle-bookings": {
        "task": "bookings.tasks.remind_vehicle_bookings",
        "schedule": crontab(minute="*/15"),
    },
    "documents-erase-expired": {
        "task": "documents.tasks.erase_expired",
        "schedule": crontab(hour=3, minute=30),
    },
    "meetings-remind-overdue-actions": {
        "task": "meetings.tasks.remind_overdue_actions",
        "schedule": crontab(hour=8, minute=20, day_of_week="mon"),
    },
}
