"""Each user's trading settings: created with safe defaults, changed field by field into the activity log.

Every user starts in paper mode. Live mode is only switched on by ``live_mode_enable``: FULL access, a
confirmed 2FA device, a connected BingX key and an explicit acknowledgement of the risks, each refusal
named, every attempt logged.

Switching mode while trades are active is allowed, on purpose: a trade keeps the mode it was opened in
(``Trade.mode``), its protective orders stay on the exchange (or the paper broker) and it is monitored
and closable as before; only *new* trades follow the new mode. Refusing the switch would force a trader
to close good positions just to stop opening new live ones. The pages say how many trades of the other
mode are still open, and the kill switch closes every mode.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import user_has_device

from accounts.models import User
from accounts.services.activity import activity_record
from core.errors import Refused
from gatekeeper.selectors import bingx_key, full_access_refusal
from market.sources import get_source
from trading import conf
from trading.models import Mode, Trade, TradingProfile

# Activity-log actions (accounts.ActivityLog.action, at most 32 characters).
SETTING_CHANGED = "trading_setting_changed"
LIVE_ENABLED = "trading_live_enabled"
LIVE_REFUSED = "trading_live_refused"

# What profile_update may change; ``mode`` only back to paper (live: live_mode_enable).
EDITABLE = (
    "mode",
    "automation_enabled",
    "min_confidence",
    "risk_pct",
    "reward_target",
    "max_leverage",
    "max_positions",
    "symbols",
    "daily_loss_limit_pct",
    "sniper_risk_pct",
    "sniper_leverage",
)
ACKNOWLEDGE_FIELD = "acknowledge_live_risk"
LIVE_RISK_TEXT = (
    "I understand that live mode places real orders with real money on my BingX account, that I can lose "
    "what I risk on every trade, and that FLAXU's limits reduce but do not remove that risk."
)


def min_confidence_floor() -> int:
    """The lowest minimum confidence a user may choose: signals execute strictly above the platform threshold."""
    return conf.signal_min_confidence() + 1


def profile_for(user: User) -> TradingProfile:
    """The user's settings, created with the defaults (paper mode, automation off) on first use."""
    profile, _ = TradingProfile.objects.get_or_create(user=user, defaults={"min_confidence": min_confidence_floor()})
    return profile


# --- Symbols -------------------------------------------------------------------------------------
def symbol_normalize(text: str) -> str:
    """What traders write -> the stored ccxt perpetual: ``BTC``, ``btcusdt``, ``BTC-USDT``, ``BTC/USDT`` and
    ``BTC/USDT:USDT`` are all ``BTC/USDT:USDT``."""
    text = (text or "").strip().upper()
    if not text:
        return ""
    text = text.split(":", 1)[0].replace("-", "/").replace("_", "/")
    base = text.split("/", 1)[0] if "/" in text else text.removesuffix("USDT") or text
    return f"{base}/USDT:USDT"


def symbols_clean(values) -> list[str]:
    """The allow-list as stored: normalised, known markets only, in the order given, without repeats.

    ``values``: a list of symbols, or one string separated by commas or spaces (the page's text box).
    Raises ``Refused`` on ``symbols`` naming every unknown one and the markets FLAXU follows.
    """
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise Refused('Give the symbols as a list of names, e.g. ["BTC/USDT", "ETHUSDT"].', field="symbols")
    known = get_source().universe()
    cleaned, unknown = [], []
    for value in values:
        symbol = symbol_normalize(value)
        if not symbol or symbol in cleaned:
            continue
        (cleaned if symbol in known else unknown).append(symbol if symbol in known else value.strip())
    if unknown:
        shown = ", ".join(s.removesuffix(":USDT") for s in known[:15]) + (", …" if len(known) > 15 else "")
        raise Refused(f"Unknown market(s): {', '.join(unknown)}. FLAXU trades {shown}.", field="symbols")
    return cleaned


# --- Updating ------------------------------------------------------------------------------------
def _checked(profile: TradingProfile, changes: dict) -> dict:
    """``changes`` as they will be stored, or ``Refused`` with every problem on its field."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Refused(f"These settings cannot be changed here: {', '.join(unknown)}.")
    changes = dict(changes)
    errors: dict[str, list[str]] = {}
    if changes.get("mode") == Mode.LIVE and profile.mode != Mode.LIVE:
        errors["mode"] = ["Switching to live needs the explicit risk acknowledgement (live mode switch)."]
    if "symbols" in changes:
        try:
            changes["symbols"] = symbols_clean(changes["symbols"])
        except Refused as exc:
            errors.update(exc.errors)
    candidate = TradingProfile(**{**_values(profile), **changes})
    try:  # the model's own bounds: risk 0.25-2 %, integer leverage 1-125, the loss limit, the choices
        candidate.full_clean(exclude=["user", *errors])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    floor = min_confidence_floor()
    if "min_confidence" in changes and "min_confidence" not in errors and candidate.min_confidence < floor:
        errors["min_confidence"] = [
            f"At least {floor}: signals are executable only above the platform threshold "
            f"({conf.signal_min_confidence()})."
        ]
    if not {"sniper_leverage", "max_leverage"} & set(errors) and candidate.sniper_leverage > candidate.max_leverage:
        errors["sniper_leverage"] = [f"At most your maximum leverage ({candidate.max_leverage}x)."]
    if errors:
        raise Refused(errors=errors)
    return {field: getattr(candidate, field) for field in changes}


def _values(profile: TradingProfile) -> dict:
    return {field: getattr(profile, field) for field in (*EDITABLE, "live_acknowledged_at")}


def _loggable(value):
    return str(value) if isinstance(value, Decimal) else value


def profile_update(user: User, changes: dict, request: HttpRequest | None = None) -> TradingProfile:
    """Change some of the user's settings (``EDITABLE``); each changed field is logged old -> new.

    Everything is validated first (``Refused`` naming each field); nothing is saved unless all of it is valid.
    """
    with transaction.atomic():
        profile_for(user)
        profile = TradingProfile.objects.select_for_update().get(user=user)
        new = _checked(profile, changes)
        changed = {f: (getattr(profile, f), v) for f, v in new.items() if getattr(profile, f) != v}
        for field, (_, value) in changed.items():
            setattr(profile, field, value)
        if changed:
            profile.save(update_fields=[*changed, "updated_at"])
        for field, (old, value) in changed.items():
            activity_record(
                action=SETTING_CHANGED,
                user=user,
                request=request,
                field=field,
                old=_loggable(old),
                new=_loggable(value),
            )
    return profile


# --- Live mode -----------------------------------------------------------------------------------
def live_mode_refusals(user: User) -> list[str]:
    """Why live mode cannot be switched on now (the acknowledgement aside); empty when it can."""
    reasons = []
    access = full_access_refusal(user)
    if access:
        reasons.append(access)
    if not user_has_device(user, confirmed=True):
        reasons.append("Turn on two-factor authentication (an authenticator app) in your account's security settings.")
    if bingx_key(user) is None:
        reasons.append("Connect your BingX API key.")
    return reasons


def live_mode_enable(user: User, acknowledged: bool, request: HttpRequest | None = None) -> TradingProfile:
    """Switch the user to live trading; ``Refused`` with every reason when it may not be, each attempt logged."""
    reasons = live_mode_refusals(user)
    errors = {"mode": reasons} if reasons else {}
    if not acknowledged:
        errors[ACKNOWLEDGE_FIELD] = ["Confirm that you understand the risks of trading with real money."]
    if errors:
        activity_record(
            action=LIVE_REFUSED, user=user, request=request, reasons=[m for ms in errors.values() for m in ms]
        )
        raise Refused(errors=errors)
    with transaction.atomic():
        profile_for(user)
        profile = TradingProfile.objects.select_for_update().get(user=user)
        old = profile.mode
        profile.mode = Mode.LIVE
        profile.live_acknowledged_at = timezone.now()
        profile.save(update_fields=["mode", "live_acknowledged_at", "updated_at"])
        activity_record(
            action=LIVE_ENABLED,
            user=user,
            request=request,
            field="mode",
            old=old,
            new=Mode.LIVE,
            acknowledged_at=profile.live_acknowledged_at.isoformat(),
        )
    return profile


def profile_change(
    user: User, changes: dict, *, acknowledged: bool = False, request: HttpRequest | None = None
) -> TradingProfile:
    """``profile_update``, where ``mode: live`` goes through ``live_mode_enable`` (the API's one call).

    All or nothing: a refused live switch saves none of the other changes, and invalid changes do not switch.
    """
    changes = dict(changes)
    if changes.get("mode") != Mode.LIVE:
        return profile_update(user, changes, request)
    del changes["mode"]
    if profile_for(user).mode == Mode.LIVE:
        return profile_update(user, changes, request)
    if live_mode_refusals(user) or not acknowledged:
        live_mode_enable(user, acknowledged, request)  # raises with every reason, and logs the attempt
    with transaction.atomic():
        profile_update(user, changes, request)
        return live_mode_enable(user, acknowledged, request)


def active_trades_elsewhere(user: User, mode: str) -> int:
    """Trades still PENDING or OPEN in modes other than ``mode`` (still monitored; told on the pages)."""
    return (
        Trade.objects.filter(user=user, status__in=[Trade.Status.PENDING, Trade.Status.OPEN]).exclude(mode=mode).count()
    )
