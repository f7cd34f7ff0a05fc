"""Signed account and wallet reads: coin networks, the key's permissions and restrictions, uid, deposit
and withdrawal history, wallet balances, commission rates; and the agent's referral check
(inviteRelationCheck), which only a key with the agent role may call.
"""

from __future__ import annotations

from . import errors as E
from .errors import BingXError
from .markets import COINS
from .models import ZERO, Account, fmt
from .state import Exchange
from .wire import Answer, bare, ok, uid_json


def coin_config(ex: Exchange, acct: Account, p: dict) -> Answer:
    out = []
    for coin in COINS:
        networks = []
        for i, (net, fee, confirm, wmin) in enumerate(coin["networks"]):
            networks.append(
                {
                    "name": coin["coin"],
                    "network": net,
                    "isDefault": i == 0,
                    "minConfirm": confirm,
                    "withdrawEnable": True,
                    "depositEnable": True,
                    "withdrawFee": fee,
                    "withdrawMax": "1000000",
                    "withdrawMin": wmin,
                    "depositMin": "0.01",
                    "withdrawPrecision": "6",
                    "depositPrecision": "6",
                    "contractAddress": "",
                    "needTagOrMemo": "false",
                    "displayName": coin["coin"] + net,
                }
            )
        out.append({"coin": coin["coin"], "name": coin["name"], "networkList": networks})
    return ok(ex, out, code="0")


def api_permissions(ex: Exchange, acct: Account, p: dict) -> Answer:
    # BingX's documented shape: permission numbers, not Binance-style enable* flags
    return ok(
        ex,
        {
            "apiKey": acct.api_key,
            "permissions": acct.permission_numbers(),
            "ipAddresses": list(acct.ip_addresses),
            "note": acct.note,
        },
    )


def api_restrictions(ex: Exchange, acct: Account, p: dict) -> Answer:
    perms = acct.permissions
    return ok(
        ex,
        {
            "ipRestrict": bool(acct.ip_addresses),
            "createTime": acct.api_key_created,
            "permitsUniversalTransfer": bool(perms.get("permitsUniversalTransfer")),
            "enableReading": bool(perms.get("enableReading")),
            "enableFutures": bool(perms.get("enableFutures")),
            "enableSpotAndMarginTrading": bool(perms.get("enableSpotAndMarginTrading")),
        },
    )


def uid(ex: Exchange, acct: Account, p: dict) -> Answer:
    return ok(ex, {"uid": uid_json(acct.uid)}, debugMsg="")


def _page(rows: list[dict], p: dict, time_key: str) -> list[dict]:
    if p.get("coin"):
        rows = [r for r in rows if r["coin"] == p["coin"]]
    if p.get("status") not in (None, ""):
        rows = [r for r in rows if str(r["status"]) == str(p["status"])]
    if p.get("startTime"):
        rows = [r for r in rows if r[time_key] >= int(p["startTime"])]
    if p.get("endTime"):
        rows = [r for r in rows if r[time_key] <= int(p["endTime"])]
    rows = sorted(rows, key=lambda r: r[time_key], reverse=True)
    offset = int(p.get("offset") or 0)
    limit = min(int(p.get("limit") or 1000), 1000)
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows[offset : offset + limit]]


def deposits(ex: Exchange, acct: Account, p: dict) -> Answer:
    return bare(_page(acct.deposits, p, "insertTime"))


def withdrawals(ex: Exchange, acct: Account, p: dict) -> Answer:
    return bare(_page(acct.withdrawals, p, "_ts"))


def income(ex: Exchange, acct: Account, p: dict) -> Answer:
    """GET /openApi/swap/v2/user/income: the account's fund flow (only funding fees are modelled), oldest first;
    ``symbol``, ``incomeType``, ``startTime``/``endTime`` (ms, inclusive) filter, ``limit`` (100, max 1000)."""
    rows = [r for r in acct.funding if not p.get("symbol") or r["symbol"] == p["symbol"]]
    if p.get("incomeType"):
        rows = [r for r in rows if r["incomeType"] == p["incomeType"]]
    if p.get("startTime"):
        rows = [r for r in rows if r["time"] >= int(p["startTime"])]
    if p.get("endTime"):
        rows = [r for r in rows if r["time"] <= int(p["endTime"])]
    limit = min(int(p.get("limit") or 100), 1000)
    return ok(ex, sorted(rows, key=lambda r: r["time"])[:limit])


def balance_row(ex: Exchange, acct: Account, asset: str) -> dict:
    s = ex.margin_summary(acct, asset)
    return {
        "userId": acct.uid,
        "asset": asset,
        "balance": fmt(s["balance"], 4),
        "equity": fmt(s["equity"], 4),
        "unrealizedProfit": fmt(s["unrealized"], 4),
        "realisedProfit": fmt(s["realised"], 4),
        "availableMargin": fmt(s["available"], 4),
        "usedMargin": fmt(s["used"], 4),
        "freezedMargin": fmt(s["frozen"], 4),
        "shortUid": acct.uid,
    }


def swap_balance_v3(ex: Exchange, acct: Account, p: dict) -> Answer:
    # BingX answers both perpetual settlement assets, USDT and USDC
    assets = ["USDT", "USDC", *sorted(a for a in acct.swap if a not in ("USDT", "USDC"))]
    return ok(ex, [balance_row(ex, acct, a) for a in assets])


def swap_balance_v2(ex: Exchange, acct: Account, p: dict) -> Answer:
    return ok(ex, {"balance": balance_row(ex, acct, "USDT")})


def _wallet_assets(acct: Account, wallet: str) -> list[dict]:
    return [
        {"asset": a, "free": fmt(v, 8), "locked": fmt(acct.locked.get((wallet, a), ZERO), 8)}
        for a, v in getattr(acct, wallet).items()
    ]


def spot_balance(ex: Exchange, acct: Account, p: dict) -> Answer:
    return ok(ex, {"balances": _wallet_assets(acct, "spot")}, debugMsg="")


def fund_balance(ex: Exchange, acct: Account, p: dict) -> Answer:
    return ok(ex, {"assets": _wallet_assets(acct, "fund")}, code="0")


def commission_rate(ex: Exchange, acct: Account, p: dict) -> Answer:
    return ok(
        ex, {"commission": {"takerCommissionRate": float(ex.taker_fee), "makerCommissionRate": float(ex.maker_fee)}}
    )


def invite_relation_check(ex: Exchange, agent: Account, p: dict) -> Answer:
    raw = p.get("uid")
    if raw in (None, ""):
        raise BingXError(E.PARAM_INVALID, "Invalid parameters, uid: This field is required.")
    try:
        uid = str(int(raw))
    except ValueError:
        raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, uid: must be a number") from None
    target = ex.accounts.get(uid)
    chain = []
    cur = target
    while cur is not None and cur.referrer_uid and cur.referrer_uid not in chain:
        chain.append(cur.referrer_uid)
        cur = ex.accounts.get(cur.referrer_uid)
    invited = target is not None and agent.uid in chain
    direct = invited and target.referrer_uid == agent.uid and target.direct_invitation
    data = {
        "uid": uid_json(uid),
        "existInviter": "true" if target is not None and target.referrer_uid else "false",
        "inviteResult": invited,
        "directInvitation": direct,
    }
    if invited:
        s = ex.margin_summary(target)
        net = s["equity"] + sum(target.fund.values(), ZERO) + sum(target.spot.values(), ZERO)
        data.update(
            {
                "inviterSid": uid_json(target.referrer_uid),
                "registerTime": target.register_time,
                "deposit": target.ever_deposited(),
                "kycResult": "true" if target.kyc else "false",
                "balanceVolume": fmt(net, 2),
                "trade": target.traded,
                "userLevel": 1,
                "commissionRatio": 30,
                "currentBenefit": 0,
                "benefitRatio": 0,
                "benefitExpiration": 0,
            }
        )
    return ok(ex, data)
