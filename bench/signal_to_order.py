"""New signal -> order accepted by (the fake) BingX, with a real orders worker and Redis; and a paper fan-out.

PostgreSQL + Redis only (the production path; ``--database-url`` naming a bench database, created if
missing, never dropped, and ``--redis-url``, or FLAXU_BENCH_DATABASE_URL / FLAXU_BENCH_REDIS_URL; without
them the bench says so and exits 0). One Celery worker as the Procfile's ``orders`` (threads pool, 8
threads) consumes the ``orders`` queue; FLAXU_BINGX_URL points it at a fake BingX (tests/fakes/bingx) that
the measuring process runs on a fixed port.

1. **signal -> order**: ``--runs`` times (after 3 untimed warm-up runs), one live user's auto-executable
   signal is committed as ``signals_run`` commits it (``signal_fan_out_on_commit``), so the worker runs
   ``fan_out_signal`` -> ``execute_signal_for_user`` -> BingX. Measured from the Signal's commit (an
   ``on_commit`` hook registered first) to the order's acceptance (the fake's order time, ms) and to the
   trade recorded OPEN (the database polled every 5 ms). The candle -> Signal part before it is
   ``bench/signal_latency.py``'s figure (add them). Runs are 1 s apart.
2. **anchor**: the gateway's bare ``market.exchanges.place_market_order`` on the same fake account from
   this process, as often: with the gateway's ccxt client as configured (rate limiter on) and with
   ccxt's rate limiter off (the HTTP round trips and the gateway only).
3. **fan-out**: one signal, ``--users`` paper users with automation on (replay market prices): from the
   Signal's commit until the last of their trades is recorded.

Prints p50/p99/max next to the target (issue #13: candle close -> order accepted, p99 < 150 ms) and the load
average (the machine is shared). The candle -> Signal stage is ``bench/signal_latency.py``'s (its own worker on
the ``signals`` queue): with ``--candle-samples`` naming that bench's result.json (the path it prints) the
two stages' samples are summed pairwise into the end-to-end figure. Reports, never asserts; exit 0.

    .venv/bin/python bench/signal_to_order.py --database-url postgres://postgres@127.0.0.1:5432/flaxu_bench_x \\
        --redis-url redis://127.0.0.1:6379/12 [--runs 200] [--users 1000] [--candle-samples .../result.json]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.servers import PYTHON, ROOT, bench_database, free_port, mode_env, ms, percentile, run, start_worker, stop

TARGET = "Target (issue #13): candle close -> order accepted, p99 < 150 ms."
WARM_UP = 3
UID = "1001"


# --- in the app's environment (the measuring child) ---------------------------------------------------
def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _full(user) -> None:
    from gatekeeper.services.overrides import access_override

    access_override(user=user, level="FULL", reason="bench", expires_at=None, actor=None)


def _live_trader(fake):
    """One FULL user with a BingX key on the fake and live automation (wide stops keep margin for every run)."""
    from decimal import Decimal

    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import ExchangeCredential, User
    from accounts.services.credentials import credential_create
    from trading import conf
    from trading.models import TradingProfile

    account = fake.add_account(uid=UID, balances={"USDT": Decimal("100000000")})
    user = User.objects.create_user(email=f"live-{secrets.token_hex(4)}@bench.invalid", password=None)
    _full(user)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)  # live trading needs 2FA
    credential_create(
        user=user, exchange=ExchangeCredential.Exchange.BINGX, label="BingX",
        api_key=account.api_key, api_secret=account.secret,
    )  # fmt: skip
    TradingProfile.objects.update_or_create(
        user=user,
        defaults=dict(
            mode="live", live_acknowledged_at=timezone.now(), automation_enabled=True,
            min_confidence=conf.signal_min_confidence() + 1, risk_pct=Decimal("0.25"), reward_target="1:2",
            max_leverage=5, max_positions=10_000, symbols=["BTC/USDT:USDT"],
        ),
    )  # fmt: skip
    return user, account


def _paper_users(n: int, symbol: str) -> None:
    """``n`` FULL users with paper automation on for ``symbol`` only (bulk: no password hashing)."""
    from decimal import Decimal

    from accounts.models import User
    from gatekeeper.models import Access
    from trading import conf
    from trading.models import TradingProfile

    users = User.objects.bulk_create(
        User(email=f"paper-{i}@bench.invalid", password="!") for i in range(n)  # noqa: S106 (unusable)
    )  # fmt: skip
    Access.objects.bulk_create(Access(user=u, level="FULL") for u in users)
    TradingProfile.objects.bulk_create(
        TradingProfile(
            user=u, mode="paper", automation_enabled=True, min_confidence=conf.signal_min_confidence() + 1,
            risk_pct=Decimal("0.25"), reward_target="1:2", max_leverage=5, max_positions=100, symbols=[symbol],
        )
        for u in users
    )  # fmt: skip


def _signal(symbol: str, direction: str, entry, stop, tp1, tp2):
    """A live auto-executable 5m signal that became known just now, committed; returns (signal, commit time)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from trading import conf
    from trading.models import Signal
    from trading.services.execution import signal_fan_out_on_commit

    now = timezone.now()
    marks: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: marks.append(time.time()))  # before the fan-out's hook
        bar = now - timedelta(minutes=5, seconds=1)
        signal = Signal.objects.create(
            exchange="bingx", symbol=symbol, timeframe="5m", bar_time=bar, known_at=Signal.close_of(bar, "5m"),
            direction=direction, setup="swing_ob", entry=entry, stop_loss=stop, take_profit_1=tp1,
            take_profit_2=tp2, confidence=conf.signal_min_confidence() + 5, reasons=["bench"],
            evidence_n=conf.evidence_config().min_samples + 10, evidence_rate=0.6, evidence_mean_r=0.4,
            evidence_class="bench",
        )  # fmt: skip
        signal_fan_out_on_commit(signal)
    return signal, marks[0]


def _wait(predicate, timeout: float, poll: float = 0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    return None


def measure(port: int, runs: int, users: int, out: Path) -> None:
    _django()
    from decimal import Decimal as D

    from django.conf import settings

    from accounts.models import User
    from market import exchanges
    from market.exchanges import clients
    from tests.fakes.bingx import FakeBingX
    from trading.models import Trade

    result: dict = {"runs": [], "anchor": [], "anchor_unthrottled": [], "fanout": None}
    with FakeBingX(port=port) as fake:
        settings.FLAXU_BINGX_URL = fake.api_root
        User.objects.filter(email__endswith="@bench.invalid").delete()  # an earlier run's users and trades
        _user, account = _live_trader(fake)
        for i in range(WARM_UP + runs):
            time.sleep(1.0)  # the worker's client has no rate-limit debt left from the previous run
            signal, t0 = _signal("BTC/USDT:USDT", "SHORT", D("65000"), D("130000"), D("30000"), D("20000"))
            trade = _wait(lambda s=signal: Trade.objects.filter(signal=s, status="OPEN").first(), 30)
            recorded = time.time()
            if trade is None:
                result["runs"].append({"order": None, "open": None})
                continue
            order = next(o for o in fake.orders(UID) if o.get("clientOrderId") == trade.client_order_id)
            if i >= WARM_UP:
                result["runs"].append({"order": order["time"] / 1000 - t0, "open": recorded - t0})

        creds = exchanges.ApiCredentials(api_key=account.api_key, secret=account.secret, ref="bench")
        for key, unthrottled in (("anchor", False), ("anchor_unthrottled", True)):
            for _ in range(WARM_UP + runs):
                time.sleep(1.0 if not unthrottled else 0.0)
                clients.client(clients.BINGX, creds).enableRateLimit = not unthrottled
                began = time.perf_counter()
                exchanges.place_market_order(creds, "BTC/USDT:USDT", "sell", D("0.001"))
                result[key].append(time.perf_counter() - began)
            result[key] = result[key][WARM_UP:]

        if users:
            result["fanout"] = _fanout(users)
    out.write_text(json.dumps(result))


def _fanout(users: int) -> dict:
    """One ETH signal, ``users`` paper users: time until the last trade is recorded."""
    from decimal import Decimal as D

    from market.selectors.prices import fresh_last_price
    from market.services.snapshots import markets_refresh, tickers_refresh
    from market.sources import get_source
    from trading.models import Trade

    symbol = "ETH/USDT:USDT"
    _paper_users(users, symbol)
    source = get_source()
    markets_refresh(exchange="bingx", source=source)
    tickers_refresh(exchange="bingx", source=source)
    price = fresh_last_price("bingx", symbol)
    if price is None:
        return {"error": "no replay price for ETH"}
    price = D(str(price))
    done = threading.Event()

    def refresh_prices() -> None:  # as the prices worker does: paper fills refuse a stale price
        while not done.wait(2.0):
            tickers_refresh(exchange="bingx", source=source)

    refresher = threading.Thread(target=refresh_prices, daemon=True)
    refresher.start()
    signal, t0 = _signal(symbol, "SHORT", price, price * D("1.5"), price * D("0.5"), price * D("0.4"))
    trades = Trade.objects.filter(signal=signal, mode="paper")
    _wait(lambda: trades.count() >= users and not trades.filter(status="PENDING").exists(), 300, poll=0.05)
    done.set()
    last = trades.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return {
        "users": users,
        "recorded": trades.exclude(status="PENDING").count(),
        "statuses": _statuses(trades),
        "last": last.timestamp() - t0 if last else None,
    }


def _statuses(trades) -> dict:
    from django.db.models import Count

    return dict(trades.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


# --- the bench (this process) -------------------------------------------------------------------------
def composed(candle_runs: list[dict], orders: list[float]) -> None:
    """Candle close -> order accepted, from the two stages' samples: bench/signal_latency.py's candle stored ->
    Signal rows committed (its result.json: the candles that gave signals; every run when fewer than 20 did)
    plus this run's signal committed -> order accepted, every pair summed (the stages are independent: one
    worker per queue, one after the other)."""
    with_signal = [r["run"] for r in candle_runs if r["run"] is not None and r["signals"]]
    first = with_signal if len(with_signal) >= 20 else [r["run"] for r in candle_runs if r["run"] is not None]
    which = "candles that gave signals" if first is with_signal else "every candle's run"
    sums = [a + b for a in first for b in orders]
    print(f"{'candle close -> order accepted (composed)':46}{len(sums):>5}{ms(percentile(sums, 50)):>9}"
          f"{ms(percentile(sums, 99)):>9}{ms(max(sums) if sums else None):>9}   target p99 < 150 ms")  # fmt: skip
    print(
        f"  (candle stored -> Signal rows committed: {len(first)} runs of bench/signal_latency.py, {which}, "
        f"p50 {ms(percentile(first, 50))} p99 {ms(percentile(first, 99))}; each summed with each order above)"
    )


def report(result: dict, load: tuple[float, float, float], candles: list[dict] | None = None) -> None:
    runs = result["runs"]
    rows = [
        ("signal committed -> order accepted", [r["order"] for r in runs if r["order"] is not None]),
        ("signal committed -> trade OPEN", [r["open"] for r in runs if r["open"] is not None]),
        ("anchor: place_market_order (as configured)", result["anchor"]),
        ("anchor: place_market_order (ccxt limiter off)", result["anchor_unthrottled"]),
    ]
    print(f"{'':46}{'n':>5}{'p50':>9}{'p99':>9}{'max':>9}")
    for name, values in rows:
        print(f"{name:46}{len(values):>5}{ms(percentile(values, 50)):>9}{ms(percentile(values, 99)):>9}"
              f"{ms(max(values) if values else None):>9}")  # fmt: skip
    missed = sum(r["order"] is None for r in runs)
    print(f"runs without an OPEN trade within 30 s: {missed}")
    if candles:
        composed(candles, [r["order"] for r in runs if r["order"] is not None])
    fanout = result.get("fanout")
    if fanout:
        print(f"fan-out: one signal, {fanout.get('users')} paper users: {fanout.get('recorded')} trades recorded "
              f"{fanout.get('statuses')}; the last {ms(fanout.get('last'))} after the signal's commit")  # fmt: skip
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; after: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores, shared)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--users", type=int, default=1000, help="paper users of the fan-out run (0: skip it)")
    parser.add_argument("--database-url", default=os.environ.get("FLAXU_BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("FLAXU_BENCH_REDIS_URL", ""))
    parser.add_argument("--candle-samples", type=Path,
                        help="bench/signal_latency.py's result.json: adds candle close -> order accepted")  # fmt: skip
    args = parser.parse_args()
    print(TARGET)
    candles = json.loads(args.candle_samples.read_text())["runs"] if args.candle_samples else None
    if not (args.database_url and args.redis_url):
        print("skipped: needs PostgreSQL + Redis (--database-url and --redis-url, or FLAXU_BENCH_DATABASE_URL and "
              "FLAXU_BENCH_REDIS_URL)")  # fmt: skip
        return 0
    args.processes = 1
    bench_database(args.database_url)
    var_dir = Path(tempfile.mkdtemp(prefix="flaxu-bench-orders-"))
    port = free_port()
    bench = {
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "FLAXU_MARKET_SOURCE": "replay",
        "FLAXU_BINGX_URL": f"http://127.0.0.1:{port}/openApi",
    }
    env = mode_env("production", var_dir, args, bench)
    log = var_dir / "bench.log"
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, log)
    run([PYTHON, "-c", "import django; django.setup(); from flaxu.celery import app; app.control.purge()"],
        {**env, "DJANGO_SETTINGS_MODULE": "flaxu.settings"}, log)  # fmt: skip
    load = os.getloadavg()
    worker = start_worker(
        {**env, "REMAP_SIGTERM": "SIGQUIT", "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT": "1"},
        var_dir / "worker.log",
        name="benchorders",
        queue="orders",
        pool=["--pool=threads", "--concurrency=8"],
    )
    out = var_dir / "result.json"
    me = str(Path(__file__).resolve())
    try:
        run([PYTHON, me, "--measure", str(port), str(args.runs), str(args.users), str(out)], env, log, timeout=3600)
    finally:
        stop(worker)
    report(json.loads(out.read_text()), load, candles)
    print(f"(logs: {var_dir})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--measure":
        measure(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
    else:
        sys.exit(main())
