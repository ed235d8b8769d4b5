# Notification verbs in one style, ``noun.verb`` (as `match_request.created` and
# `agreement.created` already were): the stored rows of the older underscore verbs are
# rewritten forward, and back again on reverse. marketplace.notification_verbs registers
# the new names only, so a row left with an old verb would show its stored text.

from django.db import migrations

#: Old verb -> new verb.
RENAMED = {
    "listing_changed": "listing.changed",
    "listing_approved": "listing.approved",
    "listing_rejected": "listing.rejected",
    "meeting_requested": "meeting_request.created",
    "meeting_accepted": "meeting_request.accepted",
    "meeting_declined": "meeting_request.declined",
    "meetings_scheduled": "meetings.scheduled",
    "roadshow_registration_confirmed": "registration.confirmed",
}


def _rename(apps, mapping):
    Notification = apps.get_model("marketplace", "Notification")
    for old, new in mapping.items():
        Notification.objects.filter(verb=old).update(verb=new)


def forward(apps, schema_editor):
    _rename(apps, RENAMED)


def backward(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0006_payments_moved_to_payments_app"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
