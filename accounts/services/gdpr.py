"""'Export my data': everything stored about a user, as JSON-safe data, secrets excluded.

Every model with a foreign-key path to the user is either exported here or excluded below with the
reason; tests/accounts/test_gdpr_coverage.py walks the models so a new one cannot be forgotten. Models
of apps above accounts (gatekeeper, market, trading) are named, not imported, and read through the app
registry, so the layering holds. Apps may also add a hand-shaped section with `export_section`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityLog, User
from accounts.services.activity import activity_record

Rows = tuple[str, str]  # (model label, ORM path from the model to the user)


@dataclass(frozen=True)
class _Section:
    read: Callable[[User], object]
    covers: tuple[Rows, ...]


_SECTIONS: dict[str, _Section] = {}


def export_section(name: str, *, covers: Iterable[Rows] = ()):
    """Register a function user → JSON-safe data under `name`; `covers` names the (model, path) it exports."""

    def register(fn: Callable[[User], object]) -> Callable[[User], object]:
        _SECTIONS[name] = _Section(fn, tuple(covers))
        return fn

    return register


@dataclass(frozen=True)
class _Owned:
    """Every field of the rows of `model` that reach the user through `path`, except `omit`."""

    model: str
    path: str = "user"
    omit: tuple[str, ...] = ()


# Rows exported whole (minus `omit`), one section each.
_OWNED_ROWS: dict[str, _Owned] = {
    "notifications": _Owned("accounts.Notification"),
    # The staff member behind an override and the raw error (internal addresses, upstream answers) are
    # staff diagnostics, not the user's data; level, reasons and override reason are.
    "access": _Owned("gatekeeper.Access", omit=("override_by", "last_error")),
    "access_checks": _Owned("gatekeeper.AccessCheck", omit=("actor", "error")),
    "price_alerts": _Owned("market.PriceAlert"),
    "backtests": _Owned("trading.Backtest"),
    "backtest_trades": _Owned("trading.BacktestTrade", path="backtest__user"),
    "trading_settings": _Owned("trading.TradingProfile"),
    "paper_wallet": _Owned("trading.PaperWallet"),
    "trades": _Owned("trading.Trade"),
    "trade_orders": _Owned("trading.TradeOrder", path="trade__user"),
    "daily_equity": _Owned("trading.DailyEquity"),
    # What staff did to the account and why; which staff member did it is staff-internal (as override_by).
    "staff_actions": _Owned("adminpanel.StaffAction", path="target", omit=("actor",)),
}

# Rows that reach the user but are not exported, and why.
NOT_EXPORTED: dict[Rows, str] = {
    ("otp_static.StaticToken", "device__user"): "unused recovery codes are secrets (their count is exported)",
    ("account.EmailConfirmation", "email_address__user"): "short-lived email verification keys (secrets)",
    ("admin.LogEntry", "user"): "a staff member's admin edits describe other people's records (staff audit trail)",
    ("gatekeeper.Access", "override_by"): "other users' access overridden by this staff member (in their exports)",
    ("gatekeeper.AccessCheck", "actor"): "other users' checks run by this staff member (in their exports)",
    ("adminpanel.StaffAction", "actor"): "actions this staff member took on other users (in their exports)",
    ("trading.TradingControl", "changed_by"): "the platform-wide trading pause a staff member set (staff audit trail)",
}


@export_section("profile", covers=[("account.EmailAddress", "user")])
def _profile(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "allowed_ips": user.allowed_ips,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
    }


@export_section("api_tokens", covers=[("accounts.ApiToken", "user")])
def _tokens(user: User) -> list:
    return list(user.api_tokens.values("name", "prefix", "created_at", "last_used_at", "revoked_at"))


@export_section("exchange_credentials", covers=[("accounts.ExchangeCredential", "user")])
def _credentials(user: User) -> list:
    # Masked key only: the key and secret themselves are never exported.
    return list(user.credentials.values("exchange", "label", "api_key_masked", "sandbox", "created_at"))


@export_section("activity_log", covers=[("accounts.ActivityLog", "user")])
def _activity(user: User) -> list:
    return list(user.activity.values("action", "created_at", "ip", "user_agent", "detail"))


@export_section("two_factor_apps", covers=[("otp_totp.TOTPDevice", "user")])
def _totp_devices(user: User) -> list:
    # Never the seed (`key`): whoever holds it can make codes.
    return list(TOTPDevice.objects.filter(user=user).values("name", "confirmed", "created_at", "last_used_at"))


@export_section("recovery_code_sets", covers=[("otp_static.StaticDevice", "user")])
def _recovery_codes(user: User) -> list:
    devices = StaticDevice.objects.filter(user=user).annotate(unused_codes=Count("token_set"))
    return list(devices.values("name", "created_at", "last_used_at", "unused_codes"))


def _owned_rows(user: User, owned: _Owned) -> list:
    model = apps.get_model(owned.model)
    user_field = owned.path if "__" not in owned.path else None  # the user's own id: left out
    fields = [f.name for f in model._meta.concrete_fields if f.name not in owned.omit and f.name != user_field]
    return list(model._default_manager.filter(**{owned.path: user}).order_by("pk").values(*fields))


def export_coverage() -> dict[Rows, str]:
    """Every (model, path to the user) this export decides about: where it is exported, or why not."""
    coverage = {rows: f"exported in {name}" for name, section in _SECTIONS.items() for rows in section.covers}
    coverage |= {(owned.model, owned.path): f"exported in {name}" for name, owned in _OWNED_ROWS.items()}
    coverage |= {rows: f"not exported: {reason}" for rows, reason in NOT_EXPORTED.items()}
    return coverage


def user_data_export(*, user: User, request=None) -> dict:
    data: dict = {"exported_at": timezone.now()}
    data |= {name: section.read(user) for name, section in _SECTIONS.items()}
    data |= {name: _owned_rows(user, owned) for name, owned in _OWNED_ROWS.items()}
    activity_record(action=ActivityLog.Action.DATA_EXPORTED, user=user, request=request)
    # Round-trip through Django's encoder so dates, Decimals and UUIDs are plain JSON values.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
