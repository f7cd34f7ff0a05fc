"""Signal: the walk-forward evidence stored at creation and the outcome from later candles."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0005_signal_historical_no_poll"),
    ]

    operations = [
        migrations.AddField(
            model_name="signal",
            name="evidence_class",
            field=models.CharField(blank=True, help_text="The class counted, e.g. 'fvg LONG 1h'.", max_length=80),
        ),
        migrations.AddField(
            model_name="signal",
            name="evidence_high",
            field=models.FloatField(blank=True, help_text="Wilson 95 % interval, high end.", null=True),
        ),
        migrations.AddField(
            model_name="signal",
            name="evidence_level",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="0: the exact class; higher: coarser.", null=True
            ),
        ),
        migrations.AddField(
            model_name="signal",
            name="evidence_low",
            field=models.FloatField(blank=True, help_text="Wilson 95 % interval, low end.", null=True),
        ),
        migrations.AddField(
            model_name="signal",
            name="evidence_mean_r",
            field=models.FloatField(blank=True, help_text="Their mean R after costs.", null=True),
        ),
        migrations.AddField(
            model_name="signal",
            name="evidence_n",
            field=models.PositiveIntegerField(default=0, help_text="Past outcomes the evidence counts."),
        ),
        migrations.AddField(
            model_name="signal",
            name="evidence_rate",
            field=models.FloatField(blank=True, help_text="Past TP1-before-stop rate of the class.", null=True),
        ),
        migrations.AddField(
            model_name="signal",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("tp1", "TP1"),
                    ("tp2", "TP2"),
                    ("stopped", "Stopped"),
                    ("expired", "Expired"),
                    ("void", "Not entered"),
                ],
                default="open",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="signal",
            name="outcome_at",
            field=models.DateTimeField(blank=True, help_text="Close of the candle that resolved it.", null=True),
        ),
        migrations.AddField(
            model_name="signal",
            name="outcome_r",
            field=models.FloatField(blank=True, help_text="Realised R after fees and slippage.", null=True),
        ),
        migrations.AddIndex(
            model_name="signal",
            index=models.Index(fields=["outcome", "outcome_at"], name="trading_signal_outcome"),
        ),
    ]
