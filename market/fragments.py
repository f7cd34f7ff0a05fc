"""Rendered widget fragments, kept per web process and keyed by what they are rendered from.

Rendering the Markets page's widgets is most of the page's CPU (≈ 20 ms of template work for 113 KB),
while their data changes every few seconds at most. A fragment is rendered from its context alone
(no request: no user, session, CSRF token or message can reach it, so one fragment serves every
visitor) and kept under a digest of that context, the template, the active language and time zone.
New data (a refreshed value, a ``stale_since``, a new ``updated_at``), another page, sort or search
make another key: a kept fragment can never show older data than a fresh render would. The store is
Django's local-memory cache, private to the process (no network round trip; a new deployment starts
empty, so changed templates are never served from an old render) and bounded in entries.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

# Content-addressed, so the lifetime only bounds memory; ≈ 30 KB per fragment at most.
KEPT = LocMemCache("market-widget-fragments", {"TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": 400, "CULL_FREQUENCY": 4}})


def fragment_key(template_name: str, context: dict[str, Any]) -> str | None:
    """The key of one rendering: a digest of everything it depends on; None if the context cannot be pickled."""
    try:
        data = pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    digest = hashlib.blake2b(data, digest_size=16)
    for part in (template_name, translation.get_language() or "", timezone.get_current_timezone_name()):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def render_fragment(template_name: str, context: dict[str, Any]) -> SafeString:
    """The widget's HTML for this context: the kept rendering when there is one, else rendered now and kept."""
    key = fragment_key(template_name, context)
    html = KEPT.get(key) if key else None
    if html is None:
        html = render_to_string(template_name, context)
        if key:
            KEPT.set(key, html)
    return mark_safe(html)  # noqa: S308  (rendered by the template engine, which escaped it)
