# Payment and WebhookEvent moved to the `payments` app (payments/migrations/0001_initial.py),
# keeping their tables. This removes them from the `marketplace` app's state only: the tables
# and their rows stay. It runs after every foreign key to them was re-pointed.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0005_notification_params'),
        ('payments', '0001_initial'),
        ('projects', '0004_registration_payment_in_payments_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='WebhookEvent'),
                migrations.DeleteModel(name='Payment'),
            ],
        ),
    ]
