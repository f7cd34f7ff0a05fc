"""alternative.me: the Crypto Fear & Greed Index with its daily history (``GET /fng/?limit=N``).

No key. The answer lists the newest value first; ``value`` and ``timestamp`` (epoch seconds) are strings,
and only the newest entry carries ``time_until_update`` (seconds)::

    {"name": "Fear and Greed Index",
     "data": [{"value": "40", "value_classification": "Fear", "timestamp": "1551157200",
               "time_until_update": "68499"},
              {"value": "47", "value_classification": "Neutral", "timestamp": "1551070800"}, ...],
     "metadata": {"error": null}}

An error is reported in ``metadata.error`` (a string), with or without data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from market.providers.base import Provider, ProviderMalformed, ProviderRefused

PUBLIC_URL = "https://api.alternative.me"
DEFAULT_HISTORY_DAYS = 30


@dataclass(frozen=True, slots=True)
class FearGreedPoint:
    time: datetime
    value: int  # 0 (extreme fear) .. 100 (extreme greed)
    classification: str


@dataclass(frozen=True, slots=True)
class FearGreed:
    value: int
    classification: str
    time: datetime
    next_update: datetime | None
    history: list[FearGreedPoint] = field(default_factory=list)  # oldest first, today included

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "classification": self.classification,
            "time": self.time,
            "next_update": self.next_update,
            "history": [{"time": p.time, "value": p.value, "classification": p.classification} for p in self.history],
        }


def parse_fng(payload: Any, received: datetime | None = None) -> FearGreed:
    """The index (newest value) and its history from one ``/fng/`` answer received at ``received`` (now)."""
    if not isinstance(payload, dict):
        raise ProviderMalformed("alternative.me: /fng/ did not answer with an object")
    error = (payload.get("metadata") or {}).get("error")
    if error:
        raise ProviderRefused(f"alternative.me: {error}")
    rows = payload.get("data")
    if not isinstance(rows, list) or not rows:
        raise ProviderMalformed("alternative.me: /fng/ answered without data")
    points = [
        FearGreedPoint(
            time=datetime.fromtimestamp(int(row["timestamp"]), tz=UTC),
            value=int(row["value"]),
            classification=str(row["value_classification"]),
        )
        for row in rows
    ]
    points.sort(key=lambda p: p.time)
    latest = points[-1]
    newest_row = max(rows, key=lambda row: int(row["timestamp"]))
    until = newest_row.get("time_until_update")
    received = received or datetime.now(UTC)
    next_update = datetime.fromtimestamp(received.timestamp() + int(until), tz=UTC) if until not in (None, "") else None
    return FearGreed(latest.value, latest.classification, latest.time, next_update, points)


class AlternativeMe(Provider):
    name = "alternative.me"
    default_base_url = PUBLIC_URL

    def __init__(self, *, base_url: str | None = None, **kwargs: Any):
        base_url = base_url or settings.FLAXU_ALTERNATIVE_ME_URL or None
        super().__init__(base_url=base_url, **kwargs)

    def fear_greed(self, days: int = DEFAULT_HISTORY_DAYS) -> FearGreed:
        """Today's index and ``days`` days of history (``limit=days``)."""
        with self.recording():
            payload = self.get_json("/fng/", {"limit": max(int(days), 1), "format": "json"})
            return parse_fng(payload, datetime.fromtimestamp(self.clock(), tz=UTC))
