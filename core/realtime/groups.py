"""Websocket group names, and who may join which group."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.conf import settings

# Channels accepts ASCII letters, digits, "-", "_" and "." in group names, shorter than 100 characters.
MAX_GROUP_NAME_LENGTH = 99
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")


def group_name(*parts: object) -> str:
    """A valid channels group name from its parts: `group_name("ticker", "BTC/USDT:USDT")` → `ticker.btc-usdt-usdt`.

    Each part is lower-cased and every run of other characters becomes one "-"; dots inside a part
    are kept, so an existing name (`market.funding`) passes through unchanged. Names longer than
    99 characters are cut and end with a short hash, so two long names stay distinct.
    """
    slugs = []
    for part in parts:
        slug = _DASHES.sub("-", _UNSAFE.sub("-", str(part).strip().lower())).strip("-.")
        if slug:
            slugs.append(slug)
    name = ".".join(slugs)
    if not name:
        raise ValueError(f"No usable group name in {parts!r}.")
    if len(name) > MAX_GROUP_NAME_LENGTH:
        digest = hashlib.sha256(name.encode()).hexdigest()[:10]
        name = f"{name[: MAX_GROUP_NAME_LENGTH - len(digest) - 1]}-{digest}"
    return name


def user_group(user_id: int) -> str:
    """The private group of one user; every socket of that user joins it on connect."""
    return f"user.{int(user_id)}"


def is_public_group(group: str) -> bool:
    return group.startswith(tuple(settings.FLAXU_PUBLIC_GROUP_PREFIXES))


# Group prefixes whose membership an app decides (gatekeeper registers the FULL-only ones).
_GROUP_RULES: dict[str, Callable[[object, str], bool]] = {}


def register_group_rule(prefix: str, allowed: Callable[[object, str], bool]) -> None:
    """Let an app decide who may join groups starting with `prefix` (called from AppConfig.ready)."""
    _GROUP_RULES[prefix] = allowed


def can_join(user, group: str) -> bool:
    """Whether `user` may subscribe a socket to `group`; the one place that decides it.

    Runs in a worker thread (the consumer wraps it in database_sync_to_async), so checks that
    query the database (access levels, ownership) belong here too.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if group == user_group(user.pk):
        return True
    for prefix, allowed in _GROUP_RULES.items():
        if group.startswith(prefix):
            return allowed(user, group)
    return is_public_group(group)
