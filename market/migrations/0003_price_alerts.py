"""Price alerts, and their backup check schedule (the check also runs after every ticker refresh)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core import beat

SCHEDULES = {
    "Price alerts: check (backup)": (
        "market.tasks.alerts.check_price_alerts",
        30,
        "seconds",
        30,
        "Fires price alerts whose condition holds; also queued after every ticker refresh.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0002_default_schedules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="PriceAlert",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("exchange", models.CharField(help_text="Whose last price is watched (ccxt id).", max_length=20)),
                ("symbol", models.CharField(help_text="ccxt perpetual symbol, e.g. BTC/USDT:USDT.", max_length=40)),
                (
                    "condition",
                    models.CharField(
                        choices=[
                            ("above", "Price at or above"),
                            ("below", "Price at or below"),
                            ("rise", "Rises by % within a window"),
                            ("fall", "Falls by % within a window"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "price",
                    models.DecimalField(
                        blank=True, decimal_places=12, help_text="Level for above/below.", max_digits=24, null=True
                    ),
                ),
                (
                    "percent",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Move size for rise/fall (positive).",
                        max_digits=6,
                        null=True,
                    ),
                ),
                (
                    "window_minutes",
                    models.PositiveIntegerField(blank=True, help_text="Window for rise/fall.", null=True),
                ),
                ("note", models.CharField(blank=True, max_length=120)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("fired_at", models.DateTimeField(blank=True, null=True)),
                ("fired_price", models.DecimalField(blank=True, decimal_places=12, max_digits=24, null=True)),
                (
                    "reference_price",
                    models.DecimalField(
                        blank=True,
                        decimal_places=12,
                        help_text="Rise/fall: the window's low/high the move was measured from.",
                        max_digits=24,
                        null=True,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="price_alerts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("fired_at__isnull", True)),
                        fields=["exchange", "symbol"],
                        name="market_pricealert_active",
                    ),
                    models.Index(fields=["user", "created_at"], name="market_pricealert_user"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("condition__in", ["above", "below"]), ("price__gt", 0)),
                            models.Q(
                                ("condition__in", ["rise", "fall"]), ("percent__gt", 0), ("window_minutes__gt", 0)
                            ),
                            _connector="OR",
                        ),
                        name="market_pricealert_complete",
                    )
                ],
            },
        ),
        beat.operation(SCHEDULES),
    ]
