from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0010_daily_loss_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="trade",
            name="funding_until",
            field=models.DateTimeField(
                blank=True,
                help_text="Time of the last funding payment counted in ``funding`` (live trades).",
                null=True,
            ),
        ),
    ]
