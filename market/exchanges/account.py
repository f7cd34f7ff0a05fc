"""Account operations on BingX: key checks, balances, deposits, withdrawals, referral."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from market.exchanges import bingx, calls, errors
from market.exchanges.credentials import ApiCredentials
from market.exchanges.types import (
    AccountBalances,
    Balance,
    BalanceAccount,
    CredentialCheck,
    Deposit,
    MalformedValue,
    ReferralCheck,
    Withdrawal,
)

HISTORY_PAGE = 1000
# The accounts ccxt's bingx ``fetch_balance`` reads, by its ``type`` parameter: swap (USDT-M perpetual,
# swap/v3/user/balance), spot (spot/v1/account/balance) and funding (fund/v1/account/balance).
BALANCE_ACCOUNTS: tuple[BalanceAccount, ...] = ("swap", "spot", "funding")
HISTORY_MAX_PAGES = 10


def credentials_check(creds: ApiCredentials) -> CredentialCheck:
    """Whether FLAXU accepts this key: valid, uid, and Read + Perpetual Futures without withdraw/transfer.

    A key BingX rejects gives ``valid=False``; a key that cannot read its own permissions, or has risky or
    missing ones, gives a ``refusal`` saying why. Raises ExchangeUnavailable / RateLimited when BingX
    cannot answer (never "accepted" by default).
    """
    try:
        uid = calls.private(creds, "uid", lambda c: bingx.uid_from(c.accountV1PrivateGetUid()))
    except errors.InvalidCredentials:
        return CredentialCheck(
            valid=False,
            uid=None,
            permissions=None,
            refusal="BingX does not accept this API key and secret: check both and try again.",
        )
    except errors.PermissionRefused as exc:
        return CredentialCheck(
            valid=True,
            uid=None,
            permissions=None,
            refusal=f"BingX refused to identify this key: {exc.message}",
        )
    try:
        permissions = calls.private(
            creds, "api_permissions", lambda c: bingx.permissions_from(c.accountV1PrivateGetAccountApiPermissions())
        )
    except errors.PermissionRefused as exc:
        return CredentialCheck(
            valid=True,
            uid=uid,
            permissions=None,
            refusal=f"BingX refused to show this key's permissions: {exc.message}",
        )
    return CredentialCheck(valid=True, uid=uid, permissions=permissions, refusal=bingx.permission_refusal(permissions))


def balances(creds: ApiCredentials) -> Balance:
    """The USDT perpetual-futures account (balance, equity, available and used margin, unrealized PnL)."""
    return calls.private(creds, "balance", lambda c: bingx.swap_balance_from(c.swapV3PrivateGetUserBalance()))


def coin_balances(creds: ApiCredentials) -> list[AccountBalances]:
    """Every non-zero coin in the user's swap, spot and funding accounts, one entry per account in
    BALANCE_ACCOUNTS order (the swap entry also carries ``futures``: what ``balances`` returns). An account
    BingX refuses (the key lacks its permission) or cannot answer for is returned unavailable with the
    reason; it never hides the others."""
    results = []
    for account in BALANCE_ACCOUNTS:

        def fetch(c: Any, account: BalanceAccount = account) -> AccountBalances:
            raw = c.fetch_balance({"type": account}).get("info")
            result = bingx.coin_balances_from(account, raw)
            if account != "swap":
                return result
            try:  # the USDT perpetual account too, so a caller needs no second read of the same answer
                return replace(result, futures=bingx.swap_balance_from(raw))
            except MalformedValue:
                return result

        try:
            results.append(calls.private(creds, f"balance_{account}", fetch))
        except errors.GatewayError as exc:
            refused = isinstance(exc, errors.InvalidCredentials | errors.PermissionRefused)
            results.append(AccountBalances(account=account, available=False, reason=exc.message, refused=refused))
    return results


def equity(creds: ApiCredentials) -> Decimal:
    """Equity of the USDT perpetual-futures account (wallet balance plus unrealized PnL)."""
    return balances(creds).equity


def _ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise errors.InvalidRequest("Use timezone-aware datetimes.")
    return int(moment.timestamp() * 1000)


def _history(creds: ApiCredentials, operation: str, method: str, since: datetime, until: datetime | None) -> list:
    """Every record in [since, until], paging backwards from ``until`` while pages come back full."""
    start, end = _ms(since), _ms(until) if until else None
    records: list[Any] = []
    for _ in range(HISTORY_MAX_PAGES):
        params = {"startTime": start, "limit": HISTORY_PAGE, **({"endTime": end} if end else {})}

        def fetch(c: Any, params: dict = params) -> list:
            raw = getattr(c, method)(params)
            if not isinstance(raw, list):
                raise MalformedValue(f"the {operation} answer is not a list")
            return c.parse_transactions(raw)

        page = calls.private(creds, operation, fetch)
        records.extend(page)
        if len(page) < HISTORY_PAGE:
            return records
        oldest = min(int(r["timestamp"]) for r in page if r.get("timestamp") is not None)
        end = oldest - 1
    raise errors.ExchangeUnavailable(f"BingX {operation} history has more than {HISTORY_MAX_PAGES} pages.")


def deposits_since(creds: ApiCredentials, since: datetime, until: datetime | None = None) -> list[Deposit]:
    """Credited deposits (BingX status 1) from ``since`` to ``until`` (now by default), oldest first."""
    records = _history(creds, "deposits", "spotV3PrivateGetCapitalDepositHisrec", since, until)
    deposits = bingx.deposits_from(records)
    return [d for d in deposits if d.credited_at >= since and (until is None or d.credited_at <= until)]


def withdrawals(creds: ApiCredentials, since: datetime) -> list[Withdrawal]:
    """Withdrawals requested since ``since`` (read only: FLAXU never withdraws), oldest first."""
    records = _history(creds, "withdrawals", "spotV3PrivateGetCapitalWithdrawHistory", since, None)
    return bingx.withdrawals_from(records)


def _referrer_credentials() -> ApiCredentials:
    if not settings.FLAXU_REFERRER_AGENT_API_KEY or not settings.FLAXU_REFERRER_AGENT_SECRET:
        raise errors.Misconfigured("Referral checks need FLAXU_REFERRER_AGENT_API_KEY and FLAXU_REFERRER_AGENT_SECRET.")
    return ApiCredentials(
        api_key=settings.FLAXU_REFERRER_AGENT_API_KEY,
        secret=settings.FLAXU_REFERRER_AGENT_SECRET,
        ref="referrer agent key",
    )


_agent_uids: dict[str, str] = {}


def _check_agent_owner(creds: ApiCredentials) -> None:
    """The agent key must belong to FLAXU_REFERRER_UID (when set): a wrong key would gate every user on
    somebody else's referrals. Asked once per process and key."""
    expected = str(settings.FLAXU_REFERRER_UID or "").strip()
    if not expected:
        return
    fingerprint = hashlib.sha256(creds.api_key.reveal().encode()).hexdigest()
    uid = _agent_uids.get(fingerprint)
    if uid is None:
        uid = calls.private(creds, "uid", lambda c: bingx.uid_from(c.accountV1PrivateGetUid()))
        _agent_uids[fingerprint] = uid
    if uid != expected:
        raise errors.Misconfigured(
            f"FLAXU_REFERRER_AGENT_API_KEY belongs to BingX uid {uid}, not FLAXU_REFERRER_UID {expected}."
        )


def referral_check(uid: str) -> ReferralCheck:
    """Whether BingX user ``uid`` was invited by the platform owner, asked with the owner's agent key."""
    uid = str(uid).strip()
    if not uid.isdigit():
        raise errors.InvalidRequest("A BingX UID is a number.")
    creds = _referrer_credentials()
    try:
        _check_agent_owner(creds)
        return calls.private(
            creds,
            "invite_relation_check",
            lambda c: bingx.referral_from(uid, c.agentV1PrivateGetAccountInviteRelationCheck({"uid": uid})),
        )
    except (errors.InvalidCredentials, errors.PermissionRefused) as exc:
        # BingX refusing the owner's key (secret rotated, agent role missing) is FLAXU's set-up, not the user.
        raise errors.Misconfigured(
            f"BingX refused the owner's agent key: {exc.message}. Check FLAXU_REFERRER_AGENT_API_KEY, "
            "FLAXU_REFERRER_AGENT_SECRET and that the key has BingX's agent role."
        ) from exc
