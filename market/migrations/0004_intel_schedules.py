"""Default beat schedules for the market-intelligence widgets (editable in the admin afterwards)."""

from django.db import migrations

from flaxu import beat
from market.tasks.intel import INTEL_SCHEDULES


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0003_price_alerts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(INTEL_SCHEDULES)]
