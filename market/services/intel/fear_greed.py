"""The Fear & Greed Index (alternative.me; its replay in the demo), cached for FLAXU_TTL_FEAR_GREED."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from market.providers.alternative_me import AlternativeMe
from market.providers.base import Link, first_good
from market.providers.replay import ReplayAlternativeMe
from market.services.intel.common import GROUPS, envelope, is_demo, store, widget
from market.services.intel.top_coins import replay_clock
from market.services.live import push_coalesced

FEAR_GREED_DAYS = 30


def _build() -> dict[str, Any]:
    if is_demo():
        link = Link(
            "alternative.me-replay",
            lambda: ReplayAlternativeMe(clock=replay_clock).fear_greed(FEAR_GREED_DAYS).as_dict(),
        )
    else:
        link = Link("alternative.me", lambda: AlternativeMe().fear_greed(FEAR_GREED_DAYS).as_dict())
    fetched = first_good("fear_greed", [link])
    data = fetched.data or {"value": None, "classification": None, "time": None, "next_update": None, "history": []}
    return envelope({**data, "errors": list(fetched.errors)}, source=fetched.source, stale_since=fetched.stale_since)


def fear_greed() -> dict[str, Any]:
    """``{"value" (0-100), "classification", "time", "next_update", "history": [{"time", "value",
    "classification"}] (30 days, oldest first), "errors", ...}``; values None only if it never loaded."""
    return widget("fear_greed", settings.FLAXU_TTL_FEAR_GREED, _build)


def fear_greed_refresh() -> dict[str, Any]:
    payload = store("fear_greed", settings.FLAXU_TTL_FEAR_GREED, _build())
    push_coalesced(GROUPS["fear_greed"], "fear_greed", {k: v for k, v in payload.items() if k != "history"})
    return payload
