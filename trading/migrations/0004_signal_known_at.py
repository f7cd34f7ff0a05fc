"""Signal.known_at becomes a stored column (the close of the signal's candle), so lists sort and page by it."""

from datetime import timedelta

from django.db import migrations, models

# The timeframes signals were stored on when this ran (a migration never imports code that can change).
STEPS = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "4h": 14400, "1d": 86400}


def fill_known_at(apps, schema_editor):
    Signal = apps.get_model("trading", "Signal")
    for timeframe in Signal.objects.values_list("timeframe", flat=True).distinct():
        step = timedelta(seconds=STEPS[timeframe])
        Signal.objects.filter(timeframe=timeframe).update(known_at=models.F("bar_time") + step)


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0003_backtest_effective_period"),
    ]

    operations = [
        migrations.AddField(
            model_name="signal",
            name="known_at",
            field=models.DateTimeField(null=True, help_text="When the signal became known: the close of its candle."),
        ),
        migrations.RunPython(fill_known_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signal",
            name="known_at",
            field=models.DateTimeField(help_text="When the signal became known: the close of its candle."),
        ),
        migrations.AlterModelOptions(name="signal", options={"ordering": ["-known_at", "-id"]}),
        migrations.AddIndex(
            model_name="signal",
            index=models.Index(fields=["-known_at", "-id"], name="trading_signal_known"),
        ),
    ]
