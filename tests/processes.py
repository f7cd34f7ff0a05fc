"""Real subprocesses against the current test database: a Daphne web server and a Celery worker.

Registered from tests/conftest.py (`pytest_plugins`). Fixtures:

- `live_asgi_server`: a Daphne server (HTTP + websockets) on a free port; the value is its base URL
  (`http://127.0.0.1:PORT`, a str) with extras: `.ws_url` (`ws://127.0.0.1:PORT/ws/`), `.origin`,
  `.process` and `.mail_to(address)` (the latest mail it sent to that address).
- `celery_worker_process`: a Celery worker (`--pool=solo`) consuming the same broker; `.process`.
- `live_mail_dir`: where both write mail (`EMAIL_URL=filemail://...`).

The subprocesses start once per test session (they take seconds) and share the test's settings:
`DATABASE_URL` pointing at the test database pytest-django created, the same `REDIS_URL` (or none),
`FLAXU_VAR_DIR`, `SECRET_KEY` and key ring, the test settings (`flaxu.settings_test`), `DEBUG=True`
(plain-HTTP cookies and static files without collectstatic). The function-scoped fixtures above request
`transactional_db`, because rows written inside the usual per-test transaction would be invisible to another process;
settings overridden inside a test (`settings` fixture) do not reach the subprocesses. Under
pytest-xdist (`-n`) each worker starts its own, on its own partition (database, var dir, Redis key
prefixes: flaxu/settings_test.py), which they inherit through the environment.

The Daphne subprocess talks to the session's fake BingX (`fake_bingx_server`, running in this process):
`FLAXU_BINGX_URL` points at it and the owner's agent identity is `FAKE_BINGX_AGENT`; a test that needs
referral checks adds that agent after the per-test reset: `fake_bingx.add_agent(**FAKE_BINGX_AGENT)`.

When a test that used them fails, the part of each subprocess log written during that test is
attached to the report. `start_process()` / `subprocess_env()` start other processes (beat, a fake
exchange) the same way.
"""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

BASE_DIR = Path(__file__).resolve().parent.parent
START_TIMEOUT = float(os.environ.get("FLAXU_TEST_PROCESS_TIMEOUT", "60"))
STOP_TIMEOUT = 15.0
_LOG_TAIL_CHARS = 20_000
_ACTIVE_KEY = pytest.StashKey[list]()
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The platform owner's agent account the Daphne subprocess is configured with (FLAXU_REFERRER_*).
FAKE_BINGX_AGENT = {
    "uid": "9000",
    "api_key": "FlaxuTestAgentKey".ljust(64, "0"),
    "secret": "FlaxuTestAgentSecret".ljust(64, "0"),
}


# The session's Celery worker while it runs (it consumes every queue), so a test that needs the broker
# to itself can pause it (tests/flaxu/test_queues.py).
SESSION_WORKERS: list[ManagedProcess] = []


class ProcessFailed(RuntimeError):
    """A subprocess did not start, or died; the message carries its log."""


class ManagedProcess:
    """One subprocess in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.popen: subprocess.Popen | None = None

    def start(self) -> ManagedProcess:
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: Ctrl-C on pytest does not hit it mid-teardown
            )
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def is_running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, since: int = 0) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", "replace")

    def failure(self, message: str, since: int = 0) -> ProcessFailed:
        status = "running" if self.is_running() else f"exited with {self.popen.returncode if self.popen else '?'}"
        tail = self.log_text(since)[-_LOG_TAIL_CHARS:]
        return ProcessFailed(f"{self.name}: {message} ({status}). Its log ({self.log_path}):\n{tail}")

    def wait_for_log(self, pattern: str, timeout: float = START_TIMEOUT, since: int = 0) -> re.Match:
        """Wait until the log matches `pattern`; fail early if the process exits."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = regex.search(self.log_text(since))
            if match:
                return match
            if not self.is_running():
                raise self.failure(f"exited before logging {pattern!r}")
            time.sleep(0.1)
        raise self.failure(f"did not log {pattern!r} within {timeout:.0f} s")

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM the process group (graceful shutdown), then SIGKILL whatever is left."""
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)
        except ProcessLookupError:
            pass


def database_url() -> str:
    """A DATABASE_URL for the database this test process is using now (the test database)."""
    params = connection.settings_dict
    engine = params["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(params["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise ProcessFailed("An in-memory SQLite test database cannot be shared with subprocesses.")
        return f"sqlite:///{Path(name).resolve()}"
    if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        user = quote(params.get("USER") or "", safe="")
        password = quote(params.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = params.get("HOST") or "127.0.0.1"
        port = f":{params['PORT']}" if params.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(params['NAME'], safe='')}"
    raise ProcessFailed(f"No DATABASE_URL form for {engine}.")


def subprocess_env(mail_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a subprocess that shares this test run's database, Redis, var dir and keys."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        FLAXU_VAR_DIR=str(settings.VAR_DIR),
        DJANGO_SETTINGS_MODULE="flaxu.settings_test",
        SECRET_KEY=settings.SECRET_KEY,
        FLAXU_ENCRYPTION_KEYS=settings.FLAXU_ENCRYPTION_KEYS,
        DEBUG="True",
        SECURE_SSL_REDIRECT="False",
        ALLOWED_HOSTS="127.0.0.1,localhost,[::1]",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    if mail_dir is not None:
        env["EMAIL_URL"] = f"filemail:///{mail_dir.resolve()}"  # environ drops one leading "/"
    env.update(extra)
    return env


def start_process(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> ManagedProcess:
    return ManagedProcess(name, argv, env, log_dir / f"{name}.log").start()


def http_get(url: str, timeout: float = 5) -> tuple[int, str]:
    """GET without proxies; returns (status, body), also for 4xx/5xx."""
    try:
        with _NO_PROXY.open(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


class LiveServer(str):
    """The base URL of the Daphne subprocess, plus what tests need to talk to it."""

    process: ManagedProcess
    mail_dir: Path

    def __new__(cls, url: str, process: ManagedProcess, mail_dir: Path) -> LiveServer:
        server = super().__new__(cls, url)
        server.process = process
        server.mail_dir = mail_dir
        return server

    @property
    def origin(self) -> str:
        return str(self)

    @property
    def ws_url(self) -> str:
        return "ws" + str(self).removeprefix("http") + "/ws/"

    def mail_to(self, address: str, timeout: float = 15, after: datetime | None = None) -> Message:
        return wait_for_mail(self.mail_dir, address, timeout=timeout, after=after)


def read_mail(mail_dir: Path) -> list[tuple[float, Message]]:
    """Every message Django's file backend wrote under `mail_dir`, oldest first, with file mtimes."""
    messages = []
    separator = "\n" + "-" * 79 + "\n"
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_text("utf-8", "replace").split(separator):
            if chunk.strip():
                messages.append((path.stat().st_mtime, email.message_from_string(chunk.lstrip())))
    return messages


def wait_for_mail(mail_dir: Path, address: str, timeout: float = 15, after: datetime | None = None) -> Message:
    """The newest message to `address` (sent after `after`, if given), waiting up to `timeout`."""
    deadline = time.monotonic() + timeout
    since = after.timestamp() if after else 0
    while True:
        matches = [m for mtime, m in read_mail(mail_dir) if mtime >= since and address.lower() in m["To"].lower()]
        if matches:
            return matches[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {address} in {mail_dir} within {timeout} s")
        time.sleep(0.2)


def mail_body(message: Message) -> str:
    """The text of a message (the plain part of a multipart one)."""
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        return ""
    payload = message.get_payload(decode=True)
    return payload.decode(message.get_content_charset() or "utf-8") if payload else ""


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _process_log_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("processes")


@pytest.fixture(scope="session")
def live_mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mail")


def _fake_bingx_env(fake) -> dict[str, str]:
    return {
        "FLAXU_BINGX_URL": fake.api_root,
        "FLAXU_REFERRER_UID": FAKE_BINGX_AGENT["uid"],
        "FLAXU_REFERRER_AGENT_API_KEY": FAKE_BINGX_AGENT["api_key"],
        "FLAXU_REFERRER_AGENT_SECRET": FAKE_BINGX_AGENT["secret"],
    }


@pytest.fixture(scope="session")
def _daphne_session(django_db_setup, _process_log_dir, live_mail_dir, fake_bingx_server) -> Iterator[LiveServer]:
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "0", "flaxu.asgi:application"]
    env = subprocess_env(live_mail_dir, **_fake_bingx_env(fake_bingx_server))
    process = start_process("daphne", argv, env, _process_log_dir)
    try:
        port = process.wait_for_log(r"Listening on TCP address 127\.0\.0\.1:(\d+)").group(1)
        server = LiveServer(f"http://127.0.0.1:{port}", process, live_mail_dir)
        _wait_healthy(server)
        yield server
    finally:
        process.stop()


def _wait_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if not server.process.is_running():
            raise server.process.failure("exited while starting")
        try:
            status, body = http_get(f"{server}/healthz", timeout=5)
        except OSError as exc:
            status, body = 0, repr(exc)
        if status == 200:
            return
        last = f"{status} {body[:500]}"
        time.sleep(0.2)
    raise server.process.failure(f"/healthz never answered 200 (last: {last})")


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, _process_log_dir, live_mail_dir) -> Iterator[ManagedProcess]:
    argv = [
        sys.executable, "-m", "celery", "-A", "flaxu", "worker", "--pool=solo", "--loglevel=INFO",
        "--without-mingle", "--without-gossip", "--without-heartbeat", "-n", f"flaxu-test-{os.getpid()}@%h",
    ]  # fmt: skip
    process = start_process("celery-worker", argv, subprocess_env(live_mail_dir), _process_log_dir)
    SESSION_WORKERS.append(process)
    try:
        process.wait_for_log(r"\bready\.")
        _wait_worker_runs_tasks(process)
        yield process
    finally:
        SESSION_WORKERS.remove(process)
        process.stop()


def _wait_worker_runs_tasks(process: ManagedProcess) -> None:
    """Send `ping` and wait until the worker ran it: the worker consumes this run's broker."""
    from core.realtime.selectors import worker_heartbeat_last
    from core.realtime.tasks import ping

    sent_at = timezone.now() - timedelta(seconds=1)
    redeclare_task_queues()
    task_id = ping.delay().id
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        # Its log line, or the heartbeat it records (should another worker on a shared broker take it).
        if f"[{task_id}] succeeded" in process.log_text():
            return
        seen = worker_heartbeat_last()
        if seen is not None and seen >= sent_at:
            return
        if not process.is_running():
            raise process.failure("exited while starting")
        time.sleep(0.2)
    raise process.failure("did not run the ping task")


def redeclare_task_queues() -> None:
    """Declare Celery's queues again on a fresh connection.

    A FLUSHDB (Django's cache.clear() on Redis; the suite's own clearing deletes only its key prefix,
    tests/cache_reset.py) empties the whole Redis database, including kombu's queue bindings; a pooled
    producer that declared them before would then publish into nothing.
    """
    from flaxu.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in app.amqp.queues.values():
            queue.bind(channel).declare()


@pytest.fixture
def live_asgi_server(request, transactional_db, _daphne_session) -> LiveServer:
    _watch(request, _daphne_session.process)
    return _daphne_session


@pytest.fixture
def celery_worker_process(request, transactional_db, _celery_worker_session) -> ManagedProcess:
    _watch(request, _celery_worker_session)
    redeclare_task_queues()
    return _celery_worker_session


def _watch(request, process: ManagedProcess) -> None:
    """Fail now if the process died in an earlier test; attach this test's log part if it fails."""
    if not process.is_running():
        raise process.failure("is not running (it died during an earlier test)")
    request.node.stash.setdefault(_ACTIVE_KEY, []).append((process, process.log_size()))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for process, offset in item.stash.get(_ACTIVE_KEY, []):
            text = process.log_text(offset)[-_LOG_TAIL_CHARS:]
            state = "running" if process.is_running() else f"exited with {process.popen.returncode}"
            report.sections.append((f"{process.name} log during this test ({state})", text or "(empty)"))
    return report
