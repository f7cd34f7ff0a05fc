"""DRF throttling with the seed's windows ("100/15m") and a default scope for every API view."""

from __future__ import annotations

import re

from rest_framework.throttling import ScopedRateThrottle

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int | None, int | None]:
    """'100/15m' → (100, 900); DRF alone reads '15m' as one minute."""
    if rate is None:
        return None, None
    match = _RATE.match(rate.strip())
    if not match:
        raise ValueError(f"Bad throttle rate {rate!r}: use N/[multiplier]unit, e.g. 100/15m")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT_SECONDS[unit]


class ScopedOrApiRateThrottle(ScopedRateThrottle):
    """Scoped throttling where a view without `throttle_scope` counts against the general "api" scope."""

    def parse_rate(self, rate):
        return parse_rate(rate)

    def allow_request(self, request, view):
        if not getattr(view, self.scope_attr, None):
            view.throttle_scope = "api"
        return super().allow_request(request, view)
