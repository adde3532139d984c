"""The meetings' per-invitee email rows move onto the app's one mail path (foundation's
MailDelivery): each SentMail row becomes the row of its letter, with the task that sends it."""

from django.db import migrations

CANCELLATION_TASK = "meetings.tasks.send_cancellation"
DOCUMENT_TASKS = {
    "agenda": ("AgendaDocument", "meetings.tasks.render_agenda"),
    "minutes": ("MinutesDocument", "meetings.tasks.render_minutes"),
}


def forwards(apps, schema_editor):
    SentMail = apps.get_model("meetings", "SentMail")
    MailDelivery = apps.get_model("foundation", "MailDelivery")
    rows = []
    for sent in SentMail.objects.order_by("pk").iterator():
        if sent.kind == "cancel":
            task_name, args = CANCELLATION_TASK, [sent.meeting_id]
        else:
            model_name, task_name = DOCUMENT_TASKS[sent.kind]
            document = (
                apps.get_model("meetings", model_name)
                .objects.filter(meeting_id=sent.meeting_id, version=sent.version)
                .values_list("pk", flat=True)
                .first()
            )
            if document is None:
                continue
            args = [document]
        rows.append(
            MailDelivery(
                letter=f"meetings:{sent.meeting_id}:{sent.kind}:{sent.version}",
                task_name=task_name,
                args=args,
                email=sent.email.strip().lower(),
                name=sent.name,
                state=sent.state,
                attempts=sent.attempts,
                created_at=sent.created_at,
                claimed_at=sent.claimed_at,
                sent_at=sent.sent_at,
            )
        )
    MailDelivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_sent_mail_deliveries"),
        ("foundation", "0003_mail_delivery_name"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="sentmail", name="sent_mail_state"),
        migrations.RemoveConstraint(model_name="sentmail", name="sent_mail_unique"),
        migrations.DeleteModel(name="SentMail"),
    ]
