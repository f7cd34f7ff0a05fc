"""Websocket fan-out: N connected clients on one public price group, P pushes, time until each client has each.

Each mode starts its own server on a free loopback port, in a throw-away FLAXU_VAR_DIR, with users it
creates itself (one per client, each with an API token; clients authenticate with `Authorization: Token`):

- ``embedded``: `make run`'s web process (Daphne, one process), SQLite, no Redis: pushes travel through
  the outbox table and the web process's relay (polls every FLAXU_OUTBOX_POLL_SECONDS, 0.5 s).
- ``production``: PostgreSQL + Redis with the production command ``bin/serve`` (gunicorn + uvicorn
  workers, FLAXU_WEB_PROCESSES=--processes); Daphne when bin/serve is missing. Needs ``--database-url``
  (a database whose name contains "bench"; created if missing, never dropped) and ``--redis-url``
  (or FLAXU_BENCH_DATABASE_URL / FLAXU_BENCH_REDIS_URL).

The run: all N clients connect at once (handshake time p50/p99 and refusals are reported), each
subscribes to ``market.btc-usdt-usdt``; then a pusher process (a worker's role: Django's `push()` in the
server's environment) sends P pushes, --interval apart, each stamped with its send time; clients note
when each arrives (same machine, same clock). After the last push the clients wait --grace seconds.
Prints, next to the issue's target (p99 < 150 ms at 1,000 clients, 0 lost, 0 closed): delivery p50/p99/max,
lost messages, sockets the server closed (with codes). Reports, never asserts; exit 0.

Bounded and self-stopping: every wait has a timeout and the server is stopped at the end (also on Ctrl-C).
The clients run in this one process on the same machine as the server: their CPU competes with it
(the bench prints its own CPU time). It raises its open-files limit (RLIMIT_NOFILE) for the sockets.

    .venv/bin/python bench/fanout.py                    # embedded, 1,000 clients, 20 pushes
    .venv/bin/python bench/fanout.py --modes production \\
        --database-url postgres://postgres@127.0.0.1:5432/flaxu_bench_fanout --redis-url redis://127.0.0.1:6379/12
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
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
    group_cpu_seconds,
    mode_env,
    percentile,
    raise_open_files,
    run,
    stop,
    wait_until_up,
)

GROUP = "market.btc-usdt-usdt"
EVENT = "bench.price"
TARGET = "Target (issue #10): p99 < 150 ms at 1,000 clients, 0 lost, 0 closed by the server."
BENCH_ENV = {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "FLAXU_MARKET_SOURCE": "replay"}


# --- the server side ----------------------------------------------------------------------------


def server_command(mode: str, port: int, args) -> tuple[list[str], str]:
    if mode == "production" and not (args.daphne or args.profile) and (ROOT / "bin" / "serve").exists():
        return [str(ROOT / "bin" / "serve")], f"bin/serve (gunicorn + {args.processes} uvicorn workers)"
    daphne = ["-m", "daphne", "-b", HOST, "-p", str(port), "flaxu.asgi:application"]
    if args.profile:
        return [PYTHON, "-m", "cProfile", "-o", args.profile, *daphne], "Daphne (1 process, under cProfile)"
    return [PYTHON, *daphne], "Daphne (1 process)"


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(users: int, out: Path) -> None:
    """In the server's environment: `users` bench users, each with a fresh API token."""
    _django()
    from django.contrib.auth.hashers import make_password

    from accounts.models import ApiToken, User

    emails = [f"fanout{i}@bench.invalid" for i in range(users)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)  # token only: nobody logs in with a password
    User.objects.bulk_create([User(email=e, password=unusable) for e in emails if e not in existing])
    people = list(User.objects.filter(email__in=emails).order_by("email"))
    ApiToken.objects.filter(user__in=people).delete()
    keys = [secrets.token_urlsafe(32) for _ in people]
    ApiToken.objects.bulk_create(
        ApiToken(user=u, name="bench", prefix=k[:8], key_hash=ApiToken.hash_key(k))
        for u, k in zip(people, keys, strict=True)
    )
    out.write_text(json.dumps(keys))


def pusher(count: int, interval: float) -> None:
    """In the server's environment (a worker's role): `count` pushes to GROUP, each stamped with its send time."""
    _django()
    from core.realtime.push import push

    for seq in range(count):
        push(GROUP, EVENT, {"seq": seq, "sent": time.time()})
        time.sleep(interval)


# --- the client side ----------------------------------------------------------------------------


@dataclass
class Client:
    ws: object = None
    connect_seconds: float = 0.0
    refused: str = ""
    received: dict[int, float] = field(default_factory=dict)  # seq -> delivery latency (s)
    closed_by_server: int | None = None  # close code
    closing: bool = False  # we are closing it (the bench's end)


async def open_client(url: str, key: str, client: Client, timeout: float) -> None:
    from websockets.asyncio.client import connect

    began = time.perf_counter()
    try:
        client.ws = await connect(
            url, additional_headers={"Authorization": f"Token {key}"}, proxy=None, open_timeout=timeout, max_queue=None
        )
        hello = json.loads(await asyncio.wait_for(client.ws.recv(), timeout))
        if hello.get("type") != "hello":
            raise RuntimeError(f"first message {hello!r}")
        await client.ws.send(json.dumps({"type": "subscribe", "data": {"groups": [GROUP]}}))
        while (message := json.loads(await asyncio.wait_for(client.ws.recv(), timeout)))["type"] != "subscribed":
            if message["type"] == "error":
                raise RuntimeError(f"subscribe refused: {message!r}")
    except Exception as exc:  # a bench records every kind of refusal
        client.refused = f"{type(exc).__name__}: {str(exc)[:120]}"
        if client.ws is not None:
            await client.ws.close()
        client.ws = None
        return
    client.connect_seconds = time.perf_counter() - began


async def listen(client: Client) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in client.ws:
            message = json.loads(raw)
            if message.get("type") == EVENT:
                data = message["data"]
                client.received[data["seq"]] = time.time() - data["sent"]
    except ConnectionClosed:
        pass
    if client.ws.close_code is not None and not client.closing:
        client.closed_by_server = client.ws.close_code


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


async def measure(ws_url: str, keys: list[str], env: dict[str, str], log: Path, args, server_pid: int) -> dict:
    clients = [Client() for _ in keys]
    began = time.monotonic()
    await asyncio.gather(*(open_client(ws_url, k, c, args.timeout) for k, c in zip(keys, clients, strict=True)))
    connect_wall = time.monotonic() - began
    live = [c for c in clients if c.ws is not None]
    listeners = [asyncio.ensure_future(listen(c)) for c in live]
    await asyncio.sleep(1)  # settle: every subscription is in place before the first push
    server_cpu = group_cpu_seconds(server_pid)
    pushing = await asyncio.create_subprocess_exec(
        PYTHON, str(Path(__file__).resolve()), "--push", str(args.pushes), str(args.interval),
        cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        await asyncio.wait_for(pushing.wait(), 60 + args.pushes * args.interval)
    finally:
        if pushing.returncode is None:
            pushing.kill()
    await asyncio.sleep(args.grace)
    server_cpu = group_cpu_seconds(server_pid) - server_cpu
    for c in live:
        c.closing = True
    await asyncio.gather(*(c.ws.close() for c in live), return_exceptions=True)
    for task in listeners:
        task.cancel()
    latencies = [v for c in live for v in c.received.values()]
    return {
        "clients": len(clients),
        "refused": [c.refused for c in clients if c.refused],
        "connect_wall": connect_wall,
        "connect_p50": percentile([c.connect_seconds for c in live], 50),
        "connect_p99": percentile([c.connect_seconds for c in live], 99),
        "expected": len(clients) * args.pushes,
        "lost": len(clients) * args.pushes - len(latencies),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies) if latencies else None,
        "closed": [c.closed_by_server for c in live if c.closed_by_server is not None],
        "pusher_rc": pushing.returncode,
        "server_cpu": server_cpu,
        "delivered": len(latencies),
    }


def start_mode(mode: str, args) -> tuple[subprocess.Popen, str, str, dict[str, str], Path, list[str]]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"flaxu-bench-fanout-{mode}-"))
    env = mode_env(mode, var_dir, args, BENCH_ENV)
    log = var_dir / "bench.log"
    if mode == "production":
        bench_database(args.database_url)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, log)
    if mode == "production":
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, log)
    keys_file = var_dir / "keys.json"
    run([PYTHON, str(Path(__file__).resolve()), "--seed", str(args.clients), str(keys_file)], env, log)
    port = free_port()
    env.update(FLAXU_HOST=HOST, FLAXU_PORT=str(port))
    argv, name = server_command(mode, port, args)
    with log.open("a") as out:
        process = subprocess.Popen(  # noqa: S603  (our own commands)
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_up(f"http://{HOST}:{port}/healthz", process, log)
    except BaseException:
        stop(process)
        raise
    return process, f"ws://{HOST}:{port}/ws/", name, env, log, json.loads(keys_file.read_text())


def report(mode: str, server: str, result: dict, args, cpu: float) -> None:
    n = result["clients"]
    print(f"\n== {mode}: {server}, {n} clients, {args.pushes} pushes {args.interval} s apart ==")
    refused = result["refused"]
    print(
        f"connect: {n - len(refused)}/{n} admitted in {result['connect_wall']:.1f} s "
        f"(handshake+subscribe p50 {ms(result['connect_p50'])}, p99 {ms(result['connect_p99'])})"
    )
    if refused:
        print(f"  refused {len(refused)}, e.g. {refused[:3]}")
    print(f"{'':22}{'measured':>14}   target")
    print(f"{'delivery p50':22}{ms(result['p50']):>14}")
    print(f"{'delivery p99':22}{ms(result['p99']):>14}   < 150 ms")
    print(f"{'delivery max':22}{ms(result['max']):>14}")
    print(f"{'lost messages':22}{result['lost']:>14}   0   (of {result['expected']})")
    closed = result["closed"]
    codes = {code: closed.count(code) for code in set(closed)}
    print(f"{'closed by server':22}{len(closed):>14}   0   {codes or ''}")
    if result["pusher_rc"]:
        print(f"  the pusher exited with {result['pusher_rc']}; see the log")
    if result["delivered"]:
        per_delivery = result["server_cpu"] / result["delivered"] * 1e6
        print(
            f"server CPU from the first push to the end: {result['server_cpu']:.2f} s, "
            f"{per_delivery:.0f} µs per delivered message (steadier than the latencies on a busy machine)"
        )
    print(f"(bench client CPU for this mode: {cpu:.1f} s)")


def print_profile(path: str) -> None:
    import pstats

    stats = pstats.Stats(path)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(r"flaxu|channels|channels_redis|asgiref|daphne|websockets|autobahn", 40)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="embedded", help="embedded, production, or both comma-separated")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between pushes")
    parser.add_argument("--grace", type=float, default=3.0, help="seconds to wait after the last push")
    parser.add_argument("--timeout", type=float, default=60.0, help="per-client connect/subscribe timeout")
    parser.add_argument("--processes", type=int, default=2, help="production: FLAXU_WEB_PROCESSES")
    parser.add_argument("--daphne", action="store_true", help="production: one Daphne instead of bin/serve")
    parser.add_argument(
        "--profile", metavar="FILE", help="run one Daphne under cProfile, write its stats to FILE and print the top"
    )
    parser.add_argument("--database-url", default=os.environ.get("FLAXU_BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("FLAXU_BENCH_REDIS_URL", ""))
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if "production" in modes and not (args.database_url and args.redis_url):
        parser.error("production needs --database-url and --redis-url")
    # Each client holds one socket; the server (its own limit, inherited) holds one per client too.
    raise_open_files(args.clients * 2 + 256)
    print(TARGET)
    print(f"open-files limit: {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}")
    for mode in modes:
        process, ws_url, server, env, log, keys = start_mode(mode, args)
        try:
            cpu = time.process_time()
            result = asyncio.run(measure(ws_url, keys, env, log, args, process.pid))
            report(mode, server, result, args, time.process_time() - cpu)
        finally:
            stop(process)
        print(f"(server log: {log})")
        if args.profile:
            print_profile(args.profile)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--seed":
        seed(int(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--push":
        pusher(int(sys.argv[2]), float(sys.argv[3]))
    else:
        sys.exit(main())
