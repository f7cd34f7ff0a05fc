"""A fake BingX REST server for tests: real HTTP on 127.0.0.1, BingX's paths, signatures and answers.

    from tests.fakes.bingx import FakeBingX
    with FakeBingX(port=0) as fake:
        acct = fake.add_account(uid="1001", balances={"USDT": 1000})
        ...  # point ccxt.bingx at f"{fake.url}/openApi" (every section, plus 'agent')

See README.md in this directory for the scenario API, the paths served and what is (not) modelled.
"""

from .errors import BingXError
from .faults import FAULTS
from .scenario import FakeBingX
from .state import Account, Exchange

__all__ = ["FAULTS", "Account", "BingXError", "Exchange", "FakeBingX", "ccxt_client"]


def ccxt_client(fake: FakeBingX, account: Account | None = None, **config):
    """A ccxt.bingx instance pointed at ``fake`` (all API sections, plus the 'agent' section ccxt lacks),
    signed with ``account``'s key. A helper for tests of the fake itself; the gateway builds its own."""
    import ccxt

    options = {"defaultType": "swap", **config.pop("options", {})}
    ex = ccxt.bingx({"enableRateLimit": False, "timeout": 10_000, "options": options, **config})
    root = fake.api_root
    ex.urls["api"] = {k: root for k in [*ex.urls["api"], "agent"]}
    if account is not None:
        ex.apiKey = account.api_key
        ex.secret = account.secret
    return ex
