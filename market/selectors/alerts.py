"""Reading price alerts."""

from __future__ import annotations

from django.db.models import F, QuerySet

from market.models import PriceAlert


def price_alerts_for_user(*, user) -> QuerySet[PriceAlert]:
    """The user's alerts: active ones first (newest first), then fired ones (latest fired first)."""
    return PriceAlert.objects.filter(user=user).order_by(F("fired_at").desc(nulls_first=True), "-created_at", "-id")


def price_alerts_active() -> QuerySet[PriceAlert]:
    """Every alert that has not fired yet (the checker's input)."""
    return PriceAlert.objects.filter(fired_at__isnull=True).order_by("exchange", "symbol", "id")


def price_alerts_active_count(*, user) -> int:
    return PriceAlert.objects.filter(user=user, fired_at__isnull=True).count()


def price_alerts_any_active() -> bool:
    return PriceAlert.objects.filter(fired_at__isnull=True).exists()
