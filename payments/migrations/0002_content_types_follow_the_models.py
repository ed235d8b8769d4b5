# The content types (and so the permissions and admin log entries) of Payment and WebhookEvent
# follow the models from the `marketplace` app to `payments`, instead of being left behind as
# stale rows while new ones are created. A content type that already exists under the target
# label is left as it is (the unique (app_label, model) pair allows only one).

from django.db import migrations

MODELS = ("payment", "webhookevent")


def relabel(source: str, target: str):
    def run(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(
            schema_editor.connection.alias
        )
        for model in MODELS:
            if not content_types.filter(app_label=target, model=model).exists():
                content_types.filter(app_label=source, model=model).update(app_label=target)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(
            relabel("marketplace", "payments"), relabel("payments", "marketplace")
        ),
    ]
