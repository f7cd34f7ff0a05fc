"""The funding table: every exchange's funding rate side by side, widest annualized spread first."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from market import funding
from market.selectors import snapshots
from market.services.intel.common import GROUPS, envelope, exchanges, source_name, store, widget
from market.services.live import push_coalesced


def _build() -> dict[str, Any]:
    names, stale, observations = exchanges(), [], []
    for ex in names:
        snap = snapshots.funding(ex)
        stale.append(snap.stale_since)
        for symbol, fr in snap.data.items():
            observations.append(
                funding.FundingObservation(ex, symbol, float(fr.rate), fr.next_funding_time, fr.interval)
            )
    rows = funding.compare(observations, names)
    return envelope(
        {
            "exchanges": names,
            "rows": [
                {
                    "symbol": r.symbol,
                    "spread_pct": r.spread_pct,
                    "quotes": {
                        ex: (
                            {
                                "rate_pct": q.rate_pct,
                                "interval_hours": q.interval_hours,
                                "annualized_pct": q.annualized_pct,
                                "next_funding_time": q.next_funding_time,
                            }
                            if (q := r.quotes.get(ex))
                            else None
                        )
                        for ex in names
                    },
                }
                for r in rows
            ],
            "formula": "annualized = rate x 365 x 24 / interval hours (simple, not compounded)",
        },
        source=source_name("funding rates"),
        stale_since=snapshots.oldest(stale),
    )


def funding_table() -> dict[str, Any]:
    """Funding side by side: ``{"exchanges", "rows": [{"symbol", "spread_pct", "quotes": {exchange:
    {"rate_pct", "interval_hours", "annualized_pct", "next_funding_time"} | None}}], "formula", ...}``,
    widest annualized spread first."""
    return widget("funding", settings.FLAXU_TTL_FUNDING, _build)


def funding_refresh() -> dict[str, Any]:
    payload = store("funding", settings.FLAXU_TTL_FUNDING, _build())
    push_coalesced(GROUPS["funding"], "funding", payload)
    return payload
