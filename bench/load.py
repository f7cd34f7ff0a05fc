"""HTTP load: N concurrent token clients on the cached market API, /api/signals/, a page and /healthz,
beside a bare Django "hello" view (/bench/hello) on the same server in the same run.

Each mode starts its own server on a free loopback port, in a throw-away FLAXU_VAR_DIR, with users it
creates itself (one per client: an API token, a session cookie for the page, FULL access):

- ``embedded``: `make run`'s web process as the Procfile starts it (Daphne, one process), SQLite and the
  file cache, DEBUG on.
- ``production``: PostgreSQL + Redis with the production command, ``bin/serve`` (gunicorn + uvicorn
  workers, FLAXU_WEB_PROCESSES, the psycopg pool), DEBUG off; Daphne when bin/serve is missing. Needs
  ``--database-url`` (a database whose name contains "bench"; created if missing, never dropped) and
  ``--redis-url`` (or FLAXU_BENCH_DATABASE_URL / FLAXU_BENCH_REDIS_URL).

No Celery worker or beat runs: the market snapshots are filled once from the replay, every widget is
computed once, and the cache lifetimes (FLAXU_TTL_*) are raised so each read is a cache hit — the bench
measures serving, not refreshing. The per-user budgets (FLAXU_THROTTLE_API, FLAXU_THROTTLE_MARKET) are
raised so that clients are not refused by design; the throttle counters still run on every call.

For each client count: a "hello" phase (every client calls /bench/hello), then a "mix" phase (every client
walks the endpoint list from its own starting point, one request at a time, as fast as answers come, or
one every --pace seconds: a closed loop measures capacity, a paced one latency below it). Before a mix
phase each client makes one untimed call (its token's first call of the minute reads the database).
Prints requests/s, p50/p99 latency and errors per endpoint, with the issue's targets beside them; exits
0 whatever it measured (it reports, never asserts). Bounded: each phase stops after --seconds, and
requests still open then get --timeout more. The client runs in this process, on the same machine
(its CPU use competes with the server's; it prints its own CPU time).

    .venv/bin/python bench/load.py                      # quick: embedded, 50 clients, 5 s phases
    .venv/bin/python bench/load.py --full \\
        --database-url postgres://postgres@127.0.0.1:5432/flaxu_bench_load --redis-url redis://127.0.0.1:6379/14
    .venv/bin/python bench/load.py --modes production --clients 200,1000 --seconds 20 --processes 2 ...
    .venv/bin/python bench/load.py --clients 200 --pace 1 ...    # 200 clients, one request a second each
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.servers import (
    HOST,
    PYTHON,
    ROOT,
    bench_database,
    free_port,
    mode_env,
    percentile,
    raise_open_files,
    run,
    stop,
    wait_until_up,
)

BTC = "BTC%2FUSDT%3AUSDT"

# (label, path, how the client authenticates: "token", "session" or None)
MARKET = [
    ("market/source", "/api/market/source/", "token"),
    ("market/tickers", "/api/market/tickers/", "token"),
    ("market/candles", f"/api/market/candles/?symbol={BTC}&timeframe=15m&limit=200", "token"),
    ("market/funding", "/api/market/funding/", "token"),
    ("market/long-short", "/api/market/long-short/", "token"),
    ("market/open-interest", "/api/market/open-interest/", "token"),
    ("market/arbitrage", "/api/market/arbitrage/", "token"),
    ("market/heatmap", f"/api/market/heatmap/?symbol={BTC}", "token"),
    ("market/fear-greed", "/api/market/fear-greed/", "token"),
    ("market/altcoin-season", "/api/market/altcoin-season/", "token"),
    ("market/top-coins", "/api/market/top-coins/?per_page=50", "token"),
]
MIX = [
    *MARKET,
    ("api/signals", "/api/signals/", "token"),
    ("page /markets/", "/markets/", "session"),
    ("healthz", "/healthz", None),
]
HELLO = [("hello (anchor)", "/bench/hello", None)]
CACHED = {label for label, _, _ in MARKET}
TARGETS = (
    "Targets (issue #10): 200 clients on PostgreSQL + Redis: 0 errors and p99 < 100 ms on the cached market\n"
    "endpoints; 1,000 clients: no 5xx (queueing, or 503 with Retry-After, is allowed)."
)
BENCH_ENV = {
    "FLAXU_BENCH_HELLO": "1",
    "FLAXU_MARKET_SOURCE": "replay",
    "FLAXU_THROTTLE_API": "100000000/15m",
    "FLAXU_THROTTLE_MARKET": "100000000/15m",
    "FLAXU_THROTTLE_MARKET_ANON": "100000000/15m",
    "FLAXU_TTL_PRICES": "86400",
    "FLAXU_TTL_LIQUIDATIONS": "86400",
    "FLAXU_TTL_FUNDING": "86400",
    "FLAXU_TTL_FEAR_GREED": "86400",
    "FLAXU_TTL_TOP500": "86400",
    "FLAXU_TTL_ARBITRAGE": "86400",
    "PYTHONUNBUFFERED": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


# --- the server side ----------------------------------------------------------------------------


def server_command(mode: str, port: int) -> tuple[list[str], str]:
    if mode == "production" and (ROOT / "bin" / "serve").exists():
        return [str(ROOT / "bin" / "serve")], "bin/serve (gunicorn + uvicorn workers)"
    # The Procfile's web line (what `make run` starts).
    return [str(ROOT / ".venv" / "bin" / "daphne"), "-b", HOST, "-p", str(port), "flaxu.asgi:application"], "Daphne"


def seed(users: int, out: Path) -> None:
    """In the bench server's environment: users with tokens, sessions and FULL access; warm caches."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.test import Client

    from accounts.models import ApiToken, User
    from gatekeeper.models import Access, Level
    from market.services.snapshots import snapshots_refresh_all
    from market.sources import get_source

    emails = [f"load{i}@bench.invalid" for i in range(users)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)  # token and session only: nobody logs in with a password
    User.objects.bulk_create([User(email=e, password=unusable) for e in emails if e not in existing])
    people = list(User.objects.filter(email__in=emails).order_by("email"))
    ApiToken.objects.filter(user__in=people).delete()
    keys = [secrets.token_urlsafe(32) for _ in people]
    ApiToken.objects.bulk_create(
        ApiToken(user=u, name="bench", prefix=k[:8], key_hash=ApiToken.hash_key(k))
        for u, k in zip(people, keys, strict=True)
    )
    have_access = set(Access.objects.filter(user__in=people).values_list("user_id", flat=True))
    Access.objects.bulk_create(Access(user=u, level=Level.FULL) for u in people if u.pk not in have_access)
    Access.objects.filter(user__in=people).update(level=Level.FULL, override_level="")
    sessions = []
    for user in people:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)

    snapshots_refresh_all(source=get_source())
    client = Client(HTTP_HOST=HOST)
    for label, path, _ in MARKET:  # computes each widget once (the lifetimes are a day)
        status = client.get(path, HTTP_AUTHORIZATION=f"Token {keys[0]}")
        if status.status_code != 200:
            raise SystemExit(f"Warming {label} answered {status.status_code}: {status.content[:300]!r}")
    out.write_text(json.dumps([{"token": k, "session": s} for k, s in zip(keys, sessions, strict=True)]))


def start_mode(mode: str, args, clients: int) -> tuple[subprocess.Popen, str, str, Path, list[dict]]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"flaxu-bench-load-{mode}-"))
    env = mode_env(mode, var_dir, args, BENCH_ENV)
    log = var_dir / "bench.log"
    if mode == "production":
        bench_database(args.database_url)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, log)
    if mode == "production":
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, log)
    credentials = var_dir / "clients.json"
    run([PYTHON, str(Path(__file__).resolve()), "--seed", str(clients), str(credentials)], env, log)
    port = free_port()
    env.update(FLAXU_HOST=HOST, FLAXU_PORT=str(port))
    argv, name = server_command(mode, port)
    with log.open("a") as out:
        process = subprocess.Popen(  # noqa: S603  (our own commands)
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://{HOST}:{port}"
    try:
        wait_until_up(base + "/bench/hello", process, log)
    except BaseException:
        stop(process)
        raise
    return process, base, name, var_dir, json.loads(credentials.read_text())


# --- the client side ----------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, answers with status 2xx/3xx
    statuses: dict[str, int] = field(default_factory=dict)  # every non-2xx outcome: "429", "503+RA", "timeout"...

    def record(self, outcome: str, seconds: float) -> None:
        if outcome == "ok":
            self.latencies.append(seconds)
        else:
            self.statuses[outcome] = self.statuses.get(outcome, 0) + 1

    @property
    def errors(self) -> int:
        return sum(self.statuses.values())

    def pct(self, p: float) -> float | None:
        return percentile(self.latencies, p)


async def client_loop(session, base: str, me: dict, routes, start: int, stop_at: float, stats, timeout, pace) -> None:
    import aiohttp

    i = start
    next_at = time.monotonic() + pace * (start % 100) / 100  # paced clients start spread over one interval
    while True:
        if pace:  # one request per `pace` seconds (back to back when answers come slower than that)
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            next_at = max(next_at + pace, time.monotonic())
        if time.monotonic() >= stop_at:
            break
        label, path, auth = routes[i % len(routes)]
        i += 1
        headers = {}
        if auth == "token":
            headers["Authorization"] = f"Token {me['token']}"
        elif auth == "session":
            headers["Cookie"] = f"sessionid={me['session']}"
        began = time.perf_counter()
        try:
            async with session.get(base + path, headers=headers, allow_redirects=False, timeout=timeout) as response:
                await response.read()
                status = response.status
                retry_after = "Retry-After" in response.headers
        except TimeoutError:
            stats[label].record("timeout", 0)
            continue
        except aiohttp.ClientError as exc:
            stats[label].record(type(exc).__name__, 0)
            await asyncio.sleep(0.05)
            continue
        elapsed = time.perf_counter() - began
        if 200 <= status < 300:
            stats[label].record("ok", elapsed)
        else:
            stats[label].record(f"{status}{'+Retry-After' if retry_after else ''}", elapsed)


async def warm_up(sessions, base: str, people: list[dict], timeout) -> None:
    """One untimed call per client, 50 at a time: a token's first call of the minute reads the database
    (gatekeeper.token_cache) and opens the client's connection; the timed phase measures warm reads."""
    gate = asyncio.Semaphore(50)
    outcomes: dict[str, int] = {}

    async def one(session, me) -> None:
        async with gate:
            try:
                headers = {"Authorization": f"Token {me['token']}"}
                async with session.get(base + MARKET[0][1], headers=headers, timeout=timeout) as response:
                    await response.read()
                    outcome = str(response.status)
            except Exception as exc:  # reported, not raised: the warm-up only prepares
                outcome = type(exc).__name__
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    began = time.monotonic()
    await asyncio.gather(*(one(s, people[n % len(people)]) for n, s in enumerate(sessions)))
    kinds = ", ".join(f"{k} x{v}" for k, v in sorted(outcomes.items()))
    print(f"  warm-up: one untimed token call per client, 50 at a time: {time.monotonic() - began:.1f} s ({kinds})")


def server_errors(log: Path, since: int) -> None:
    """The exceptions the server logged during the runs (last line of each traceback), most frequent first."""
    counts: dict[str, int] = {}
    with log.open(errors="replace") as lines:
        lines.seek(since)
        previous_indented = False
        for line in lines:
            text = line.rstrip()
            if previous_indented and text and not text[0].isspace() and ("Error" in text or "Exception" in text):
                counts[text[:160]] = counts.get(text[:160], 0) + 1
            previous_indented = line[:1].isspace()
    for text, n in sorted(counts.items(), key=lambda kv: -kv[1])[:6]:
        print(f"  server log: {n} x {text}")


async def phase(base: str, people: list[dict], clients: int, routes, seconds: float, timeout: float, pace: float):
    import aiohttp

    stats = {label: Stats() for label, _, _ in routes}
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    sessions = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), cookie_jar=aiohttp.DummyCookieJar())
                for _ in range(clients)]  # fmt: skip
    try:
        if any(auth == "token" for _, _, auth in routes):
            await warm_up(sessions, base, people, client_timeout)
        began = time.monotonic()
        stop_at = began + seconds
        await asyncio.gather(*(
            client_loop(s, base, people[n % len(people)], routes, n, stop_at, stats, client_timeout, pace)
            for n, s in enumerate(sessions)
        ))  # fmt: skip
        elapsed = time.monotonic() - began
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    return stats, elapsed


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def report(title: str, stats: dict[str, Stats], elapsed: float, targets: bool) -> None:
    print(f"  {title}  ({elapsed:.1f} s)")
    print(f"    {'endpoint':<24}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}  error kinds")
    total = Stats()
    for label, s in stats.items():
        done = len(s.latencies) + s.errors
        kinds = ", ".join(f"{k} x{v}" for k, v in sorted(s.statuses.items()))
        mark = "  (cached)" if targets and label in CACHED else ""
        print(f"    {label:<24}{done / elapsed:>8.1f}{ms(s.pct(50)):>8}{ms(s.pct(99)):>8}{s.errors:>8}  {kinds}{mark}")
        total.latencies += s.latencies
        for k, v in s.statuses.items():
            total.statuses[k] = total.statuses.get(k, 0) + v
    if len(stats) > 1:
        done = len(total.latencies) + total.errors
        print(f"    {'all':<24}{done / elapsed:>8.1f}{ms(total.pct(50)):>8}{ms(total.pct(99)):>8}{total.errors:>8}")
        cached = Stats()
        for label in CACHED & stats.keys():
            cached.latencies += stats[label].latencies
            for k, v in stats[label].statuses.items():
                cached.statuses[k] = cached.statuses.get(k, 0) + v
        fives = sum(v for k, v in total.statuses.items() if k.startswith("5") and "Retry-After" not in k)
        print(
            f"    cached market endpoints together: p99 {ms(cached.pct(99))} ms, {cached.errors} errors; "
            f"5xx without Retry-After (all endpoints): {fives}"
        )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--seed":
        seed(int(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="200 and 1,000 clients, 20 s phases, both modes")
    parser.add_argument("--clients", help="comma-separated client counts (default 50; --full: 200,1000)")
    parser.add_argument("--seconds", type=float, help="length of each phase (default 5; --full: 20)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    parser.add_argument("--modes", help="embedded,production (default: embedded, plus production if configured)")
    parser.add_argument("--database-url", default=os.environ.get("FLAXU_BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("FLAXU_BENCH_REDIS_URL", ""))
    parser.add_argument("--pace", type=float, default=0.0,
                        help="seconds between a client's requests (default 0: back to back)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep each mode's var dir (database, server log)")
    parser.add_argument("--processes", type=int, default=int(os.environ.get("FLAXU_WEB_PROCESSES", "2")),
                        help="web processes of the production command (FLAXU_WEB_PROCESSES)")  # fmt: skip
    args = parser.parse_args()
    counts = [int(c) for c in (args.clients or ("200,1000" if args.full else "50")).split(",")]
    seconds = args.seconds or (20.0 if args.full else 5.0)
    production_ready = bool(args.database_url and args.redis_url)
    modes = (args.modes or ("embedded,production" if production_ready else "embedded")).split(",")
    if "production" in modes and not production_ready:
        raise SystemExit("The production mode needs --database-url and --redis-url (PostgreSQL and Redis).")
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        raise SystemExit("bench/load.py needs aiohttp (pip install -r requirements-dev.txt).") from None

    limit = raise_open_files(max(counts) * 2 + 256)
    print(f"open files: limit {limit} for {max(counts)} clients")
    loop = f"each client one request every {args.pace:g} s" if args.pace else "each client back to back (closed loop)"
    print(f"{os.cpu_count()} CPUs; {seconds:.0f} s per phase; clients: {', '.join(map(str, counts))}; {loop}")
    print(TARGETS)
    for mode in modes:
        process, base, name, var_dir, people = start_mode(mode, args, max(counts))
        log_start = (var_dir / "bench.log").stat().st_size
        where = "SQLite + file cache" if mode == "embedded" else "PostgreSQL + Redis"
        procs = f", FLAXU_WEB_PROCESSES={args.processes}" if mode == "production" and "serve" in name else ""
        print(f"\n== {mode}: {name}{procs}, {where}, DEBUG {'on' if mode == 'embedded' else 'off'} ({base})")
        try:
            for clients in counts:
                cpu = time.process_time()
                for title, routes, targets in (("hello", HELLO, False), ("mix", MIX, True)):
                    stats, elapsed = asyncio.run(phase(base, people, clients, routes, seconds, args.timeout, args.pace))
                    report(f"{clients} clients, {title}", stats, elapsed, targets)
                load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                used = time.process_time() - cpu
                print(f"  (bench client CPU for {clients} clients: {used:.1f} s; load average {load})")
                if process.poll() is not None:
                    print(f"  the server exited ({process.returncode}); see {var_dir / 'bench.log'}")
                    break
        finally:
            stop(process)
        server_errors(var_dir / "bench.log", log_start)
        if args.keep:
            print(f"  kept: {var_dir} (server log: bench.log)")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
    print("\n" + TARGETS)


if __name__ == "__main__":
    main()
