"""API token → (user, token, access), cached for a minute so a cached market read needs no database.

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

from accounts.models import ApiToken, User
from gatekeeper.models import Access

TTL_SECONDS = 60
# A marker must outlive the gap between a request's database read and its cache.add (milliseconds; it is
# written again when the change commits, so a long transaction does not eat into it).
CLEARED_SECONDS = 10
_CLEARED = "cleared"


def _key(key_hash: str) -> str:
    return f"auth:token:{key_hash}"


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


def tokens_forget(key_hashes) -> None:
    """Clear these tokens' entries now and again when the change commits (their next calls read the database)."""
    markers = dict.fromkeys([_key(h) for h in key_hashes], _CLEARED)
    if markers:
        cache.set_many(markers, CLEARED_SECONDS)
        transaction.on_commit(lambda: cache.set_many(markers, CLEARED_SECONDS))


def user_tokens_forget(user_id: int | None) -> None:
    """Clear the entries of every active token of this user."""
    if user_id is not None:
        active = ApiToken.objects.filter(user_id=user_id, revoked_at__isnull=True)
        tokens_forget(active.values_list("key_hash", flat=True))
