"""Default trading schedules: live signals, the sniper scan and the calibration snapshot (editable in the admin)."""

from django.db import migrations

from core import beat

SCHEDULES = {
    "Signals on closed candles (all followed series)": (
        "trading.tasks.run_signals_due",
        1,
        "minutes",
        60,
        "Queues one engine run per symbol and timeframe whose newest closed candle was not analysed yet.",
    ),
    "Sniper scan": (
        "trading.tasks.scan_sniper",
        30,
        "seconds",
        30,
        "Looks for violent 5-minute moves that swept most estimated liquidations; saves and pushes alerts.",
    ),
    "Signal calibration snapshot": (
        "trading.tasks.refresh_calibration",
        24,
        "hours",
        3600,
        "Backtests every followed series over stored candles; live signals quote the TP1 hit rates.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
