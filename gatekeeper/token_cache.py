"""API token → (user, token, access), cached for a minute so a cached market read needs no database.

A signed-in session's per-request gates use the same cache (``user_gate``): the user's Access (suspension,
FULL access) and whether they have a confirmed second factor, keyed by user, cleared by the same changes
plus any change to their 2FA devices. The session row and the user row are still read on every request
(deleting a session row ends it at once; the user row carries the password hash the session is checked
against, the active flag and the IP allow-list), and so is a verified session's device (django-otp).

A token call otherwise costs two queries (the token with its user, then the user's Access for the
suspension check) before the view runs. The entry holds the rows' field values (never the password
hash) and is rebuilt into model instances, so the checks after it (active account, IP allow-list,
suspension, FULL access) run exactly as on a database read.

Anything that could refuse the token clears its entry at once (gatekeeper.receivers): the token saved
or deleted (revoked), its user saved or deleted (deactivated, allow-list changed), the user's Access
saved or deleted (suspended, overridden). Clearing writes a short-lived marker instead of deleting (at
the change and again at its commit), and entries are written with ``cache.add``, which a marker blocks:
a request that read the database just before the change cannot put the old state back.
``QuerySet.update()`` sends no signal, so none of the fields these checks read is changed that way
(keep it so, or clear the entries by hand).

A miss goes to the database as before, which also refreshes the token's ``last_used_at`` (its
resolution is a minute, the entry's lifetime).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django_otp import user_has_device

from accounts.models import ApiToken, User
from gatekeeper.models import Access

TTL_SECONDS = 60
# A marker must outlive the gap between a request's database read and its cache.add (milliseconds; it is
# written again when the change commits, so a long transaction does not eat into it).
CLEARED_SECONDS = 10
_CLEARED = "cleared"


def _key(key_hash: str) -> str:
    return f"auth:token:{key_hash}"


def _user_key(user_id: int) -> str:
    return f"auth:user:{user_id}"


def _fields(instance: models.Model, *, leave_out: tuple[str, ...] = ()) -> tuple[list[str], list]:
    concrete = [f.attname for f in instance._meta.concrete_fields if f.attname not in leave_out]
    return concrete, [getattr(instance, name) for name in concrete]


def _instance(model: type[models.Model], fields: tuple[list[str], list]) -> models.Model:
    # Fields left out are deferred: reading one loads it from the database, as Django does for .only().
    return model.from_db(DEFAULT_DB_ALIAS, *fields)


def token_lookup(key_hash: str) -> tuple[User, ApiToken, Access | None] | None:
    """The cached user, token and Access of a token key's hash; None on a miss (or just after a change)."""
    entry = cache.get(_key(key_hash))
    if not isinstance(entry, dict):
        return None
    user = _instance(User, entry["user"])
    token = _instance(ApiToken, entry["token"])
    token.user = user
    access = _instance(Access, entry["access"]) if entry["access"] else None
    return user, token, access


def token_remember(key_hash: str, user: User, token: ApiToken, access: Access | None) -> None:
    """Cache what the database said about an accepted token (unless a change cleared it meanwhile)."""
    entry = {
        "user": _fields(user, leave_out=("password",)),
        "token": _fields(token),
        "access": _fields(access) if access is not None else None,
    }
    cache.add(_key(key_hash), entry, TTL_SECONDS)


def tokens_forget(key_hashes, *, user_ids=()) -> None:
    """Clear these tokens' (and users') entries now and again when the change commits (the next calls read
    the database)."""
    markers = dict.fromkeys([*(_key(h) for h in key_hashes), *(_user_key(u) for u in user_ids)], _CLEARED)
    if markers:
        cache.set_many(markers, CLEARED_SECONDS)
        transaction.on_commit(lambda: cache.set_many(markers, CLEARED_SECONDS))


def user_tokens_forget(user_id: int | None) -> None:
    """Clear the user's own entry and those of every active token of theirs."""
    if user_id is not None:
        active = ApiToken.objects.filter(user_id=user_id, revoked_at__isnull=True)
        tokens_forget([*active.values_list("key_hash", flat=True)], user_ids=[user_id])


def user_forget(user_id: int | None) -> None:
    """Clear the user's own entry (their 2FA devices changed)."""
    if user_id is not None:
        tokens_forget([], user_ids=[user_id])


def user_gate(user: User) -> tuple[Access | None, bool]:
    """The user's Access (or None) and whether they have a confirmed 2FA device, from the cache when it can."""
    key = _user_key(user.pk)
    entry = cache.get(key)
    if isinstance(entry, dict):
        return (_instance(Access, entry["access"]) if entry["access"] else None), entry["has_device"]
    access = Access.objects.filter(user_id=user.pk).first()
    has_device = user_has_device(user, confirmed=True)
    cache.add(key, {"access": _fields(access) if access else None, "has_device": has_device}, TTL_SECONDS)
    return access, has_device
