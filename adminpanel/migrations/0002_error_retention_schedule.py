"""Error-record retention once an hour (editable in the admin); the task deletes what is older than
STAFF_ERROR_RETENTION_DAYS."""

from django.db import migrations

from core import beat

SCHEDULES = {
    "Prune staff error records": (
        "adminpanel.tasks.prune_error_records",
        1,
        "hours",
        3600,
        "Deletes server errors and failed tasks recorded for the staff dashboard older than "
        "STAFF_ERROR_RETENTION_DAYS.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("adminpanel", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
