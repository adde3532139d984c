"""The Celery app. Without a broker (REDIS_URL unset) tasks run eagerly, in-process.

A change asks for a task through the outbox (`foundation.outbox.enqueue`), whose relay runs in
each worker (`RelayStep`) and whose base class (`OutboxTask`) every task has; beat sends the
periodic ones below. The tasks are registered by autodiscovery when Django starts, in every
process (`ArrasQuartiersConfig.ready`).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arras_quartiers.settings")

app = Celery("arras_quartiers", task_cls="foundation.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.steps["worker"].add("foundation.outbox:RelayStep")

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
