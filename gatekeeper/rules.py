"""The gatekeeper's decision, as a pure function of what BingX said (no Django, no I/O).

FULL needs a *direct* referral by the platform owner and credited deposits worth at least the
threshold in the trailing window. Policy `rolling` asks for both at every check; `qualify_once` keeps
FULL once earned while the direct referral holds (a valid key is checked before this runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

LIMITED, FULL, SUSPENDED = "LIMITED", "FULL", "SUSPENDED"
ROLLING, QUALIFY_ONCE = "rolling", "qualify_once"
POLICIES = (ROLLING, QUALIFY_ONCE)

# USD stablecoins count 1:1; everything else is priced (at deposit time, else now).
STABLECOINS = frozenset({"USDT", "USDC", "USDP", "BUSD", "FDUSD", "TUSD", "DAI", "PYUSD", "USDE"})
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class CountedDeposit:
    """A credited deposit with its USD value and where that value came from."""

    currency: str
    amount: Decimal
    usd_value: Decimal | None
    credited_at: datetime
    price_source: str  # "stablecoin" | "at_deposit" | "current" | "unpriced"


@dataclass(frozen=True, slots=True)
class Evidence:
    invited: bool
    direct: bool
    deposits: tuple[CountedDeposit, ...]
    window_start: datetime
    window_end: datetime


@dataclass(frozen=True, slots=True)
class Decision:
    level: str
    code: str  # full | qualified_before | not_referred | indirect_referral | deposit_short
    reasons: tuple[str, ...]
    deposited_usd: Decimal
    shortfall_usd: Decimal
    deposit_deadline: datetime | None  # when the oldest counted deposit leaves the window


def money(value: Decimal) -> str:
    return f"${value.quantize(CENT):,}"


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def deposits_in_window(
    deposits: tuple[CountedDeposit, ...], start: datetime, end: datetime
) -> tuple[CountedDeposit, ...]:
    return tuple(d for d in deposits if start <= d.credited_at <= end)


def deposited_usd(deposits: tuple[CountedDeposit, ...]) -> Decimal:
    return sum((d.usd_value for d in deposits if d.usd_value is not None), Decimal("0"))


def decide(evidence: Evidence, *, policy: str, min_deposit_usd: Decimal, qualified_before: bool) -> Decision:
    """FULL or LIMITED, with the reasons in plain words."""
    counted = deposits_in_window(evidence.deposits, evidence.window_start, evidence.window_end)
    total = deposited_usd(counted)
    shortfall = max(min_deposit_usd - total, Decimal("0"))

    def limited(code: str, *reasons: str, deadline: datetime | None = None) -> Decision:
        return Decision(LIMITED, code, reasons, total, shortfall, deadline)

    if not evidence.invited:
        return limited("not_referred", "Your BingX account was not referred by FLAXU's partner account.")
    if not evidence.direct:
        return limited(
            "indirect_referral",
            "Your BingX account was referred through another person's link, not directly by FLAXU's partner.",
        )
    if policy == QUALIFY_ONCE and qualified_before:
        return Decision(
            FULL,
            "qualified_before",
            ("You qualified before and your referral still holds.",),
            total,
            Decimal("0"),
            None,
        )
    if total >= min_deposit_usd:
        return Decision(
            FULL,
            "full",
            (f"Direct referral confirmed and {money(total)} deposited since {when(evidence.window_start)}.",),
            total,
            Decimal("0"),
            None,
        )
    window = evidence.window_end - evidence.window_start
    deadline = min(d.credited_at for d in counted) + window if counted else None
    more = f"deposit {money(shortfall)} more" + (f" before {when(deadline)}" if deadline else "")
    return limited(
        "deposit_short",
        f"You deposited {money(total)} of {money(min_deposit_usd)} since {when(evidence.window_start)}; {more}.",
        deadline=deadline,
    )


def window(now: datetime, days: int) -> tuple[datetime, datetime]:
    return now - timedelta(days=days), now
