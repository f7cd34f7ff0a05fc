"""The staff dashboard at size: /staff/ and /staff/inactive/ rendered on an empty database, then on 10,000 users
and 1,000,000 trades, side by side (render time median and p95 of --runs, and queries per render).

Renders go through Django's test client in this process (every middleware, the session, 2FA check, the
template), signed in as a staff member past 2FA; DEBUG stays as the environment has it (on by default, as
`make run`). The data set: users registered over the last 400 days (85 % verified, 60 % with an Access row,
some overrides, half with a key and a connect check, 40 % with trading settings, some paused), 8,760 hourly
signals, and trades spread over the last 365 days on 60 % of the users (80 % paper, 97 % closed, 1 % open,
2 % failed; ICT trades linked to signals). Trades are written by one INSERT ... SELECT (generate_series on
PostgreSQL, a recursive CTE on SQLite); then the overview's per-day trading rollup is computed for every whole
day before today, as beat keeps it in production (today is always counted live).

PostgreSQL: ``--database-url`` names a database whose name contains "bench" (created if missing, never
dropped; its rows are wiped at the start). Without it: SQLite in a throw-away FLAXU_VAR_DIR. Prints, never
asserts; the target (issue #14) is under 300 ms per page with the query count not growing with the rows.

    .venv/bin/python bench/staff_dashboard.py --database-url postgres://postgres@127.0.0.1:5432/flaxu_bench_staff
    .venv/bin/python bench/staff_dashboard.py --users 1000 --trades 100000     # SQLite, smaller
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = (
    ("overview, last 30 days", "/staff/"),
    ("overview, all time", "/staff/?preset=all"),
    ("inactive users, page 1", "/staff/inactive/"),
    ("inactive users, filtered", "/staff/inactive/?has_key=yes&level=LIMITED"),
)
TARGET_MS = 300
SIGNALS = 365 * 24  # one an hour over the year
BATCH = 10_000


def setup_django(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flaxu.settings")
    os.environ["FLAXU_VAR_DIR"] = tempfile.mkdtemp(prefix="flaxu-bench-staff-")
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        from bench.servers import bench_database

        bench_database(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def wipe() -> None:
    """Start from no users, trades or signals (the bench database may hold a previous run's)."""
    from django.db import connection

    from accounts.models import User
    from adminpanel.models import TradesClosedDay, TradesOpenedDay, TradingRollupMark
    from trading.models import Signal, Trade

    rollup = (TradesOpenedDay, TradesClosedDay, TradingRollupMark)
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (User, Signal, Trade, *rollup)]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        for model in rollup:
            model.objects.all().delete()
        Trade.objects.all().delete()
        Signal.objects.all().delete()
        User.objects.all().delete()


def staff_client():
    """A test client signed in as a staff member past 2FA (what /staff/ requires)."""
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts.models import User

    staff = User.objects.create_superuser("bench-staff@example.com", "bench-staff-password-1")
    device = StaticDevice.objects.create(user=staff, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def fill_users(n: int) -> list[int]:
    """n users with the states the figures count; returns the ids of those who trade (60 %)."""
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import ExchangeCredential, User
    from gatekeeper.models import Access, AccessCheck
    from trading.models import TradingProfile

    now = timezone.now()
    users = [
        User(
            email=f"bench{i}@example.com",
            password=make_password(None),  # unusable: nobody signs in as them
            date_joined=now - timedelta(days=i % 400, seconds=(i * 37) % 86400),
            last_login=now - timedelta(days=i % 40) if i % 3 == 0 else None,
        )
        for i in range(n)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    ids = list(User.objects.filter(is_staff=False).order_by("pk").values_list("pk", flat=True))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=pk, email=f"bench{i}@example.com", verified=True, primary=True)
         for i, pk in enumerate(ids) if i % 20 < 17],
        batch_size=BATCH,
    )  # fmt: skip
    levels = ("FULL", "LIMITED", "LIMITED")
    accesses = []
    for i, pk in enumerate(ids):
        if i % 10 >= 6:
            continue
        access = Access(user_id=pk, level=levels[i % 3], code="full" if i % 3 == 0 else "deposit_short")
        access.qualified_at = now - timedelta(days=i % 300) if i % 3 == 0 else None
        if i % 50 == 1:
            access.override_level, access.override_reason = "SUSPENDED", "bench"
            access.override_expires_at = now + timedelta(days=1) if i % 100 == 1 else now - timedelta(days=1)
        accesses.append(access)
    Access.objects.bulk_create(accesses, batch_size=BATCH)
    keyed = [pk for i, pk in enumerate(ids) if i % 2 == 0]
    ExchangeCredential.objects.bulk_create(
        [ExchangeCredential(user_id=pk, key_id="bench", api_key_encrypted=b"k", api_secret_encrypted=b"s",
                            api_key_masked="abcd…wxyz") for pk in keyed],
        batch_size=BATCH,
    )  # fmt: skip
    AccessCheck.objects.bulk_create(
        [AccessCheck(user_id=pk, created_at=now - timedelta(days=i % 300), source="connect", policy="rolling",
                     previous_level="LIMITED", outcome="LIMITED", code=("full", "deposit_short", "not_referred")[i % 3])
         for i, pk in enumerate(keyed)],
        batch_size=BATCH,
    )  # fmt: skip
    TradingProfile.objects.bulk_create(
        [TradingProfile(user_id=pk, paused_until=now + timedelta(hours=5) if i % 25 == 0 else None)
         for i, pk in enumerate(ids) if i % 10 < 4],
        batch_size=BATCH,
    )  # fmt: skip
    return [pk for i, pk in enumerate(ids) if i % 10 < 6]


def fill_signals() -> int:
    """One live signal an hour over the last year; returns the first id (they are consecutive)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from trading.models import Signal

    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=SIGNALS)
    Signal.objects.bulk_create(
        [Signal(exchange="bingx", symbol="BTC/USDT:USDT", timeframe="1h", bar_time=start + timedelta(hours=h),
                known_at=start + timedelta(hours=h + 1), direction="LONG", setup="swing_ob", entry=Decimal("100"),
                stop_loss=Decimal("90"), take_profit_1=Decimal("120"), take_profit_2=Decimal("130"), confidence=80)
         for h in range(SIGNALS)],
        batch_size=BATCH,
    )  # fmt: skip
    return Signal.objects.order_by("pk").values_list("pk", flat=True).first()


# Trade i belongs to traders[i % T]; its k-th trade (k = i // T) takes signal k * 50 + (user slot % 50): the same
# user never gets a signal twice (the unique constraint), for up to SIGNALS / 50 trades a user.
TRADE_SQL = """
INSERT INTO trading_trade (user_id, mode, signal_type, signal_id, exchange, symbol, side, status, reward_target,
    entry_price, exit_price, stop_loss, take_profit, size, remaining, leverage, risk_amount, fees, funding, pnl,
    close_reason, failure_reason, exchange_order_id, client_order_id, created_at, opened_at, closed_at, updated_at)
SELECT t.user_id,
    CASE WHEN i %% 5 = 0 THEN 'live' ELSE 'paper' END,
    CASE WHEN i %% 10 < 6 THEN 'ICT' WHEN i %% 10 < 9 THEN 'SNIPER' ELSE 'MANUAL' END,
    CASE WHEN i %% 10 < 6 AND (i / %(traders)s) * 50 + t.slot %% 50 < %(signals)s
         THEN %(first_signal)s + (i / %(traders)s) * 50 + t.slot %% 50 END,
    'bingx', 'BTC/USDT:USDT', 'LONG',
    CASE WHEN i %% 100 = 0 THEN 'OPEN' WHEN i %% 100 < 3 THEN 'FAILED' ELSE 'CLOSED' END,
    '1:2', 100, 101, 90, 120, 1, 0, 2, 10, 0.1, 0,
    CASE WHEN i %% 100 >= 3 THEN ((i * 7919) %% 2001 - 1000) / 100.0 END,
    '', '', '', 'bench-' || i,
    s.opened, CASE WHEN i %% 100 IN (1, 2) THEN NULL ELSE s.opened END,
    CASE WHEN i %% 100 >= 3 THEN s.opened + (i %% 720) * interval '1 minute' END, s.opened
FROM generate_series(0::bigint, %(n)s - 1) AS i
CROSS JOIN LATERAL (SELECT now() - ((i * 7919) %% (365 * 86400)) * interval '1 second' AS opened) AS s
JOIN (SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS slot
      FROM unnest(%(trader_ids)s::bigint[]) AS u(user_id)) AS t ON t.slot = i %% %(traders)s
"""


# The same rows on SQLite: a recursive CTE for the series, json_each for the traders, text timestamps as Django
# stores them there (UTC).
SQLITE_TRADE_SQL = """
INSERT INTO trading_trade (user_id, mode, signal_type, signal_id, exchange, symbol, side, status, reward_target,
    entry_price, exit_price, stop_loss, take_profit, size, remaining, leverage, risk_amount, fees, funding, pnl,
    close_reason, failure_reason, exchange_order_id, client_order_id, created_at, opened_at, closed_at, updated_at)
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < %(n)s),
    traders(slot, user_id) AS (SELECT key, value FROM json_each(%(trader_ids)s)),
    rows(i, slot, user_id, opened) AS (
        SELECT i, slot, user_id,
            strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || ((i * 7919) %% 31536000) || ' seconds')
        FROM seq JOIN traders ON traders.slot = seq.i %% %(traders)s)
SELECT user_id,
    CASE WHEN i %% 5 = 0 THEN 'live' ELSE 'paper' END,
    CASE WHEN i %% 10 < 6 THEN 'ICT' WHEN i %% 10 < 9 THEN 'SNIPER' ELSE 'MANUAL' END,
    CASE WHEN i %% 10 < 6 AND (i / %(traders)s) * 50 + slot %% 50 < %(signals)s
         THEN %(first_signal)s + (i / %(traders)s) * 50 + slot %% 50 END,
    'bingx', 'BTC/USDT:USDT', 'LONG',
    CASE WHEN i %% 100 = 0 THEN 'OPEN' WHEN i %% 100 < 3 THEN 'FAILED' ELSE 'CLOSED' END,
    '1:2', 100, 101, 90, 120, 1, 0, 2, 10, 0.1, 0,
    CASE WHEN i %% 100 >= 3 THEN ((i * 7919) %% 2001 - 1000) / 100.0 END,
    '', '', '', 'bench-' || i,
    opened, CASE WHEN i %% 100 IN (1, 2) THEN NULL ELSE opened END,
    CASE WHEN i %% 100 >= 3 THEN strftime('%%Y-%%m-%%d %%H:%%M:%%f', opened, '+' || (i %% 720) || ' minutes') END,
    opened
FROM rows
"""


def fill_trades(n: int, traders: list[int], first_signal: int) -> None:
    """n trades in one INSERT ... SELECT (PostgreSQL: generate_series; SQLite: a recursive CTE)."""
    import json

    from django.db import connection

    params = {"n": n, "traders": len(traders), "signals": SIGNALS, "first_signal": first_signal}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(TRADE_SQL, {**params, "trader_ids": traders})
            # What autovacuum does soon after a bulk load: statistics, and the visibility map that lets the
            # dashboard's counts read the indexes alone.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute(SQLITE_TRADE_SQL, {**params, "trader_ids": json.dumps(traders)})
            cursor.execute("ANALYZE")


def roll_up() -> float:
    """What beat does in production: the staff overview's trading rollup of every whole day before today (the
    empty database is measured without one). Returns the seconds it took."""
    from adminpanel.selectors.days import today_utc
    from adminpanel.services.trading_rollup import rollup_all

    started = time.perf_counter()
    rollup_all(today=today_utc())
    return time.perf_counter() - started


def measure(client, path: str, runs: int) -> tuple[list[float], int]:
    """Render times (seconds) of ``runs`` renders after one warm-up, and the queries of one render (counted by
    an execute wrapper: a request empties the query log CaptureQueriesContext reads)."""
    from django.db import connection

    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    return times, len(seen)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def row(times: list[float], queries: int) -> str:
    return f"{statistics.median(times) * 1000:7.1f} {percentile(times, 95) * 1000:7.1f} {queries:4d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("FLAXU_BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("FLAXU_BENCH_REDIS_URL", ""))
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed renders per page (after one warm-up)")
    args = parser.parse_args()
    setup_django(args)
    from django.db import connection

    wipe()
    client = staff_client()
    empty = {path: measure(client, path, args.runs) for _, path in PAGES}

    started = time.perf_counter()
    traders = fill_users(args.users)
    first_signal = fill_signals()
    fill_trades(args.trades, traders, first_signal)
    built = time.perf_counter() - started
    rolled_up = roll_up()
    full = {path: measure(client, path, args.runs) for _, path in PAGES}

    from accounts.models import User
    from trading.models import Trade

    users, trades = User.objects.filter(is_staff=False).count(), Trade.objects.count()
    print(f"Staff dashboard on {connection.vendor} ({connection.settings_dict['NAME']}), DEBUG={_debug()}, "
          f"{args.runs} renders per page after a warm-up; data built in {built:.0f} s, "
          f"trading rollup (every whole day) in {rolled_up:.1f} s")  # fmt: skip
    print(f"{'page':28} | {'empty database':^20} | {f'{users:,} users, {trades:,} trades':^28} | target")
    print(f"{'':28} | {'median     p95  q':>20} | {'median     p95  q':>28} |")
    for label, path in PAGES:
        print(f"{label:28} | {row(*empty[path]):>20} | {row(*full[path]):>28} | < {TARGET_MS} ms, q bounded")
    print("(times in ms; q: SQL queries per render, the session's and the page's)")
    return 0


def _debug() -> bool:
    from django.conf import settings

    return settings.DEBUG


if __name__ == "__main__":
    raise SystemExit(main())
