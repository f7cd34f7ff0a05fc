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


class WindowCounterThrottle:
    """Mixin for a SimpleRateThrottle subclass: a fixed-window counter instead of DRF's request history.

    DRF's throttles read and write back the list of every request time in the window (up to N floats)
    on each request, and two concurrent requests can both read the old list (one is not counted). This
    counts with one ``cache.incr`` per request (atomic on Redis; the first of a window adds the key), at
    the price of fixed windows: a client may spend a window's budget at its end and the next at the
    start of the next window. Denied calls count too; ``Retry-After`` is the time to the window's end.
    """

    def parse_rate(self, rate):
        return parse_rate(rate)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{key}:w{window}"
        try:
            count = self.cache.incr(key)
        except ValueError:  # first call of the window; it lives a minute past the window's end
            count = 1
            if not self.cache.add(key, 1, int(self.window_end - now) + 60):
                count = self.cache.incr(key)  # another request added it meanwhile
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self.window_end - self.timer(), 1.0)
