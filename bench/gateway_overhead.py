"""What the exchange gateway adds to a call: exchanges.balances() vs the raw ccxt fetch_balance it wraps.

Starts its own fake BingX on 127.0.0.1 (tests/fakes/bingx), then times N calls of each, interleaved
(raw, gateway, raw, ...), both over the same HTTP request (GET /openApi/swap/v3/user/balance). Prints
the medians side by side and the difference; the target is under 1 ms.

ccxt's rate limiter is switched off on both clients for the measurement only: BingX's cost for this
endpoint makes ccxt sleep ~200 ms between two calls on one client, which would swamp what is measured.
The gateway keeps it on in production.

    .venv/bin/python bench/gateway_overhead.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flaxu.settings")
os.environ.setdefault("FLAXU_VAR_DIR", tempfile.mkdtemp(prefix="flaxu-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from market import exchanges  # noqa: E402
from market.exchanges import clients, health  # noqa: E402
from tests.fakes.bingx import FakeBingX, ccxt_client  # noqa: E402

TARGET_MS = 1.0
WARM_UP = 20


def _ms(samples_ns: list[int], q: float) -> float:
    ordered = sorted(samples_ns)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6


def main(n: int = 200) -> int:
    with FakeBingX(port=0) as fake:
        settings.FLAXU_BINGX_URL = fake.api_root
        account = fake.add_account(uid="1001", balances={"USDT": Decimal("1000")})
        creds = exchanges.ApiCredentials(api_key=account.api_key, secret=account.secret, ref="bench")
        raw = ccxt_client(fake, account)  # rate limiter off
        raw.load_markets()
        exchanges.balances(creds)  # loads the shared markets and builds this thread's client
        clients.client("bingx", creds).enableRateLimit = False

        def raw_call() -> None:
            assert raw.fetch_balance()["USDT"]["free"] is not None

        def gateway_call() -> None:
            assert exchanges.balances(creds).equity == Decimal("1000")

        for _ in range(WARM_UP):
            raw_call()
            gateway_call()
        timings: dict[str, list[int]] = {"raw ccxt fetch_balance": [], "gateway balances()": []}
        for _ in range(n):
            for name, call in (("raw ccxt fetch_balance", raw_call), ("gateway balances()", gateway_call)):
                started = time.perf_counter_ns()
                call()
                timings[name].append(time.perf_counter_ns() - started)
        health.flush()

    raw_median = statistics.median(timings["raw ccxt fetch_balance"]) / 1e6
    gateway_median = statistics.median(timings["gateway balances()"]) / 1e6
    difference = gateway_median - raw_median
    cache = "Redis" if settings.REDIS_URL else "file"
    print(f"Gateway overhead against the fake BingX: N={n} interleaved, {cache} cache for health records")
    print(f"{'':24} {'median':>10} {'p10':>10} {'p90':>10}")
    for name, samples in timings.items():
        median = statistics.median(samples) / 1e6
        print(f"{name:24} {median:8.3f} ms {_ms(samples, 0.1):7.3f} ms {_ms(samples, 0.9):7.3f} ms")
    verdict = "within" if difference < TARGET_MS else "ABOVE"
    print(f"{'difference':24} {difference:+8.3f} ms   ({verdict} the {TARGET_MS:.0f} ms target)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
