import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('foundation', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='MailDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('letter', models.CharField(max_length=200, verbose_name='courrier')),
                ('task_name', models.CharField(max_length=200, verbose_name='tâche')),
                ('args', models.JSONField(blank=True, default=list, verbose_name='arguments')),
                ('email', models.EmailField(max_length=254, verbose_name='adresse')),
                ('state', models.CharField(choices=[('pending', 'à envoyer'), ('sending', 'en cours'), ('sent', 'envoyé'), ('unconfirmed', 'à vérifier')], default='pending', max_length=12, verbose_name='état')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='tentatives')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandé le')),
                ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='pris en charge le')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='envoyé le')),
            ],
            options={
                'verbose_name': 'courriel à remettre',
                'verbose_name_plural': 'courriels à remettre',
                'indexes': [models.Index(fields=['state', 'created_at'], name='mail_delivery_state')],
                'constraints': [models.UniqueConstraint(fields=('letter', 'email'), name='mail_delivery_unique')],
            },
        ),
    ]
