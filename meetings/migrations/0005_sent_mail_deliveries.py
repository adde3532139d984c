import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0004_remove_document_enqueued_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='sentmail',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='tentatives'),
        ),
        migrations.AddField(
            model_name='sentmail',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='pris en charge le'),
        ),
        migrations.AddField(
            model_name='sentmail',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandé le'),
        ),
        migrations.AddField(
            model_name='sentmail',
            name='name',
            field=models.CharField(blank=True, max_length=200, verbose_name='destinataire'),
        ),
        # The rows recorded so far were written after their email left: they are "sent".
        migrations.AddField(
            model_name='sentmail',
            name='state',
            field=models.CharField(choices=[('pending', 'à envoyer'), ('sending', 'en cours'), ('sent', 'envoyé'), ('unconfirmed', 'à vérifier')], default='sent', max_length=12, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='sentmail',
            name='state',
            field=models.CharField(choices=[('pending', 'à envoyer'), ('sending', 'en cours'), ('sent', 'envoyé'), ('unconfirmed', 'à vérifier')], default='pending', max_length=12, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='sentmail',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='envoyé le'),
        ),
        migrations.AddIndex(
            model_name='sentmail',
            index=models.Index(fields=['state', 'created_at'], name='sent_mail_state'),
        ),
    ]
