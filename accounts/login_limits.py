"""How long a login stays refused after too many failures (allauth's `login_failed` rate limit).

allauth counts failures per account (the typed address) and per client IP, each in its own cache entry
of recent failure times; it only says "Try again later", so we read those entries to say when.
"""

from __future__ import annotations

import math
import time

from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.http import HttpRequest

_APP, _ACTION = "allauth.account", "login_failed"
_SCOPES = {"key": "for this account", "ip": "from your network", "user": "for this account"}


def login_lockout_message(request: HttpRequest, *, key: str) -> str:
    """The refusal to show: which limit is reached and in how many minutes a try is accepted again."""
    now = time.time()
    longest: tuple[float, str] | None = None
    for rate in ratelimit.get_rates(app=_APP, action=_ACTION):
        cache_key = ratelimit.get_cache_key(request, app=_APP, action=_ACTION, rate=rate, key=key)
        history = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]  # newest first
        if len(history) >= rate.amount:
            # Allowed again once enough failures age out: the amount-th newest is the last that must.
            wait = history[rate.amount - 1] + rate.duration - now
            if longest is None or wait > longest[0]:
                longest = (wait, _SCOPES.get(rate.per, ""))
    if longest is None:  # the limit lifted meanwhile, or the cache lock was busy
        return "Too many failed login attempts. Try again in a minute."
    minutes = max(1, math.ceil(longest[0] / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed login attempts {longest[1]}; try again in {minutes} {unit}."
