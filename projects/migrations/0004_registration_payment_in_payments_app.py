# Registration.payment now names payments.Payment: the model moved to the `payments` app with
# its table (marketplace_payment) unchanged, so the column and its foreign-key constraint stay
# as they are and only Django's state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0001_initial'),
        ('projects', '0003_roadshow_last_presented_slot'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='registration',
                    name='payment',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='payments.payment'),
                ),
            ],
        ),
    ]
