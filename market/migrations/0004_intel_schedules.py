"""Default beat schedules for the market-intelligence widgets (editable in the admin afterwards)."""

from django.db import migrations

from flaxu import beat
from market.tasks.intel import INTEL_SCHEDULES


def create_schedules(apps, schema_editor):
    beat.install(apps, INTEL_SCHEDULES)


def remove_schedules(apps, schema_editor):
    beat.uninstall(apps, INTEL_SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0003_price_alerts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
