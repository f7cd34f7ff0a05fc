"""The staff overview's trading rollup on beat (editable in the admin): the last few days every 10 minutes, and
every day again once a day (an old trade edited late is corrected then)."""

from django.db import migrations

from core import beat

SCHEDULES = {
    "Roll up recent trading days": (
        "adminpanel.tasks.rollup_recent_trading",
        10,
        "minutes",
        600,
        "Recomputes the staff overview's per-day trading rollup for the last 3 whole days (and any day since it "
        "last ran); today is always counted live.",
    ),
    "Roll up all trading days": (
        "adminpanel.tasks.rollup_all_trading",
        24,
        "hours",
        3600,
        "Recomputes every whole day of the staff overview's trading rollup from the trades.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("adminpanel", "0003_trading_rollup"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
