"""Default gatekeeper schedules: daily re-validation and override expiry (editable in the admin)."""

from django.db import migrations

from core import beat

SCHEDULES = {
    "Re-validate access (all connected users)": (
        "gatekeeper.tasks.revalidate_all",
        24,
        "hours",
        3600,
        "Queues one re-check per connected user, spread over FLAXU_REVALIDATE_SPREAD_SECONDS.",
    ),
    "Expire staff access overrides": (
        "gatekeeper.tasks.expire_overrides",
        5,
        "minutes",
        300,
        "Clears overrides past their expiry and tells the users whose level changes.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("gatekeeper", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
