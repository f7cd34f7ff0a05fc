"""The control endpoint ``/_fake/...``: drive a fake running in another process over HTTP with the same
arguments as the ``FakeBingX`` methods (README: "Control endpoint"). Errors answer 400 ``{"error": ...}``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .errors import BingXError

if TYPE_CHECKING:
    from .scenario import FakeBingX


def state(fake: FakeBingX) -> dict:
    """Everything the fake holds, JSON-ready: accounts (keys, balances, orders, positions), marks, faults."""
    with fake.exchange.lock:
        accounts = []
        for a in fake.exchange.accounts.values():
            accounts.append(
                {
                    "uid": a.uid,
                    "api_key": a.api_key,
                    "secret": a.secret,
                    "is_agent": a.is_agent,
                    "referrer_uid": a.referrer_uid,
                    "direct_invitation": a.direct_invitation,
                    "kyc": a.kyc,
                    "permissions": dict(a.permissions),
                    "ip_addresses": list(a.ip_addresses),
                    "position_mode": a.position_mode,
                    "balances": {
                        "swap": {k: str(v) for k, v in a.swap.items()},
                        "fund": {k: str(v) for k, v in a.fund.items()},
                        "spot": {k: str(v) for k, v in a.spot.items()},
                    },
                    "deposits": [dict(d) for d in a.deposits],
                    "withdrawals": [dict(w) for w in a.withdrawals],
                    "positions": fake.positions(a.uid),
                    "orders": fake.orders(a.uid),
                }
            )
        marks = {s: str(v) for s, v in fake.exchange.mark.items()}
    return {
        "url": fake.url,
        "accounts": accounts,
        "marks": marks,
        "faults": fake.faults(),
        "requests": len(fake.requests),
    }


def handle(fake: FakeBingX, method: str, path: str, raw_body: bytes) -> tuple[int, bytes]:
    """Answer one ``/_fake/<action>`` request: GET state/requests, POST the scenario actions."""
    action = path[len("/_fake/") :].strip("/")
    try:
        if method == "GET" and action in ("state", ""):
            return 200, json.dumps(state(fake)).encode()
        if method == "GET" and action == "requests":
            return 200, json.dumps([list(r) for r in fake.requests]).encode()
        if method != "POST":
            return 405, json.dumps({"error": "use POST"}).encode()
        args = json.loads(raw_body or b"{}")
        if not isinstance(args, dict):
            raise ValueError("the body must be a JSON object")
        if action in ("add_account", "add_agent"):
            acct = (fake.add_account if action == "add_account" else fake.add_agent)(**args)
            return 200, json.dumps({"uid": acct.uid, "api_key": acct.api_key, "secret": acct.secret}).encode()
        if action == "add_deposit":
            return 200, json.dumps(fake.add_deposit(**args)).encode()
        if action == "add_withdrawal":
            return 200, json.dumps(fake.add_withdrawal(**args)).encode()
        if action == "add_funding":
            return 200, json.dumps(fake.add_funding(**args)).encode()
        if action == "set_mark_price":
            return 200, json.dumps({"triggered": fake.set_mark_price(args["symbol"], args["price"])}).encode()
        if action == "set_balance":
            fake.set_balance(**args)
        elif action == "set_permissions":
            fake.set_permissions(args.pop("uid"), **args)
        elif action == "inject":
            fake.inject(args.pop("path"), args.pop("fault"), **args)
        elif action == "clear_faults":
            fake.clear_faults()
        elif action == "reset":
            fake.reset()
        elif action == "set_clock_skew":
            fake.set_clock_skew(args["ms"])
        else:
            return 404, json.dumps({"error": f"unknown action {action!r}"}).encode()
        return 200, json.dumps({"ok": True}).encode()
    except (KeyError, TypeError, ValueError, BingXError) as exc:
        return 400, json.dumps({"error": str(exc)}).encode()
