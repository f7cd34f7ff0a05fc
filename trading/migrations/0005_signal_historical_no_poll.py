"""Signal.historical (found after the fact: never pushed, never executed), and the one-minute signal poll
goes away: a stored closed candle queues its series' run instead (trading.receivers)."""

from django.db import migrations, models

from core import beat

# The row 0002 installed, as it was (a migration never imports code that can change).
POLL = {
    "Signals on closed candles (all followed series)": (
        "trading.tasks.run_signals_due",
        1,
        "minutes",
        60,
        "Queues one engine run per symbol and timeframe whose newest closed candle was not analysed yet.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0004_signal_known_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="signal",
            name="historical",
            field=models.BooleanField(
                default=False,
                help_text="Found after the fact (backfill or catch-up): never pushed as new, never auto-executable.",
            ),
        ),
        beat.removal(POLL),
    ]
