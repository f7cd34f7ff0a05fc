"""Starting and stopping the app under a benchmark: ports, a bench database, the server's environment, a
Celery worker, and the open-files limit. Shared by the benches that run the app (loopback only)."""

from __future__ import annotations

import base64
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # loopback only


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bench_database(url: str) -> None:
    """Create the bench database if missing (refuses a name without "bench": never a real database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"--database-url must name a bench database (its name must contain 'bench'), not {name!r}.")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def mode_env(mode: str, var_dir: Path, args, bench_env: dict[str, str]) -> dict[str, str]:
    """The server's environment: `embedded` as `make run` (DEBUG, SQLite, no Redis), or `production` (bin/serve on
    args.database_url and args.redis_url with args.processes web processes), plus the bench's own settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(bench_env, FLAXU_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="flaxu.settings")
    if mode == "embedded":
        env["DEBUG"] = "True"
    else:
        env.update(
            DATABASE_URL=args.database_url,
            REDIS_URL=args.redis_url,
            DEBUG="False",
            SECRET_KEY=secrets.token_urlsafe(50),
            FLAXU_ENCRYPTION_KEYS="bench1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            SECURE_SSL_REDIRECT="False",
            ALLOWED_HOSTS=HOST,
            FLAXU_WEB_PROCESSES=str(args.processes),
            FLAXU_WEB_ACCESS_LOG="0",
        )
    return env


def run(argv: list[str], env: dict[str, str], log: Path, timeout: float = 600) -> None:
    with log.open("a") as out:
        done = subprocess.run(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"{' '.join(argv[:4])} failed; see {log}")


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server exited ({process.returncode}); see {log}")
        try:
            with opener.open(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"The server did not answer {url} within {timeout:.0f} s; see {log}")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by every live process of a process group (Linux /proc):
    a server's arbiter and workers. Unlike wall time, it barely moves with what else the machine runs."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state, ppid, pgrp, ..., utime at 11, stime at 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen) -> None:
    """Stop the server's whole process group (bin/serve has worker processes under its arbiter)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def raise_open_files(needed: int) -> int:
    """Raise this process's open-files limit towards `needed` (one per socket, plus margin); returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, needed) if hard == resource.RLIM_INFINITY else min(hard, max(soft, needed))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < needed:
        print(f"warning: open-files limit {want} < {needed} needed; some sockets will fail (raise ulimit -n)")
    return want


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def start_worker(env: dict[str, str], log: Path, *, name: str, queue: str, pool: list[str]) -> subprocess.Popen:
    """A Celery worker named ``name``<pid> on ``queue`` (``pool``: its pool options), once it says it is ready."""
    node = f"{name}{os.getpid()}"
    argv = [PYTHON, "-m", "celery", "-A", "flaxu", "worker", "-n", f"{node}@%h", "-Q", queue, "--loglevel=INFO", *pool]
    with log.open("a") as out:
        worker = subprocess.Popen(  # noqa: S603  (our own command)
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while not re.search(rf"{node}@\S+ ready", log.read_text(errors="replace")):
        if worker.poll() is not None or time.monotonic() > deadline:
            stop(worker)
            raise SystemExit(f"the Celery worker did not start; see {log}")
        time.sleep(0.3)
    return worker


def ms(value: float | None) -> str:
    """Seconds as whole milliseconds for a report ("-" for none)."""
    return "-" if value is None else f"{value * 1000:.0f} ms"
