"""'Export my data': everything stored about a user, as JSON-safe data, secrets excluded.

Apps that store personal data add a section with `export_section` (accounts cannot import them).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts.models import ActivityLog, User
from accounts.services.activity import activity_record

_SECTIONS: dict[str, Callable[[User], object]] = {}


def export_section(name: str):
    """Register a function user → JSON-safe data under `name` in the export."""

    def register(fn: Callable[[User], object]) -> Callable[[User], object]:
        _SECTIONS[name] = fn
        return fn

    return register


@export_section("profile")
def _profile(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "allowed_ips": user.allowed_ips,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
    }


@export_section("api_tokens")
def _tokens(user: User) -> list:
    return list(user.api_tokens.values("name", "prefix", "created_at", "last_used_at", "revoked_at"))


@export_section("exchange_credentials")
def _credentials(user: User) -> list:
    # Masked key only: the key and secret themselves are never exported.
    return list(user.credentials.values("exchange", "label", "api_key_masked", "sandbox", "created_at"))


@export_section("activity_log")
def _activity(user: User) -> list:
    return list(user.activity.values("action", "created_at", "ip", "user_agent", "detail"))


def user_data_export(*, user: User, request=None) -> dict:
    data = {"exported_at": timezone.now(), **{name: fn(user) for name, fn in _SECTIONS.items()}}
    activity_record(action=ActivityLog.Action.DATA_EXPORTED, user=user, request=request)
    # Round-trip through Django's encoder so dates, Decimals and UUIDs are plain JSON values.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
