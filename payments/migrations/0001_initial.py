# The payment models moved here from the `marketplace` app. Their tables were created by
# marketplace/migrations/0003_payments.py and keep their names (Meta.db_table), so this
# migration changes Django's state only ("moving a model between apps" with
# SeparateDatabaseAndState). Foreign keys from other apps are re-pointed by their own
# state-only migrations; marketplace/migrations/0006 then removes the models from its state.

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('marketplace', '0003_payments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Payment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(max_length=40, verbose_name='purpose')),
                ('reference', models.CharField(db_index=True, max_length=100, verbose_name='reference')),
                ('description', models.CharField(max_length=200, verbose_name='description')),
                ('amount_cny', models.DecimalField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='amount (CNY)')),
                ('refunded_cny', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=14, verbose_name='refunded (CNY)')),
                ('currency', models.CharField(default='cny', editable=False, max_length=3)),
                ('provider', models.CharField(max_length=30, verbose_name='payment provider')),
                ('provider_ref', models.CharField(blank=True, db_index=True, max_length=255)),
                ('provider_payment_ref', models.CharField(blank=True, db_index=True, max_length=255)),
                ('checkout_url', models.URLField(blank=True, max_length=2000)),
                ('status', models.CharField(choices=[('created', 'Created'), ('pending', 'Awaiting payment'), ('paid', 'Paid'), ('partially_refunded', 'Partially refunded'), ('refunded', 'Refunded'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='created', max_length=20, verbose_name='status')),
                ('failure_reason', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('paid_at', models.DateTimeField(blank=True, null=True)),
                ('refunded_at', models.DateTimeField(blank=True, null=True)),
                ('payer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='payments', to=settings.AUTH_USER_MODEL, verbose_name='payer')),
            ],
            options={
                'verbose_name': 'payment',
                'verbose_name_plural': 'payments',
                'db_table': 'marketplace_payment',
                'ordering': ['-created_at', '-id'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('amount_cny__gte', 0)), name='payment_amount_non_negative'),
                    models.CheckConstraint(condition=models.Q(('refunded_cny__gte', 0), ('refunded_cny__lte', models.F('amount_cny'))), name='payment_refund_within_amount'),
                ],
            },
        ),
        migrations.CreateModel(
            name='WebhookEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=30)),
                ('event_id', models.CharField(max_length=255)),
                ('type', models.CharField(max_length=100)),
                ('payload', models.JSONField()),
                ('received_at', models.DateTimeField(auto_now_add=True)),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
                ('result', models.CharField(blank=True, max_length=60)),
                ('payment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='payments.payment')),
            ],
            options={
                'db_table': 'marketplace_webhookevent',
                'ordering': ['-received_at', '-id'],
                'constraints': [
                    models.UniqueConstraint(fields=('provider', 'event_id'), name='webhook_event_once_per_provider'),
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
