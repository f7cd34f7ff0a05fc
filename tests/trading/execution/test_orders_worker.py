"""The orders queue with a real Celery worker started as the Procfile's ``orders`` (threads pool, 8 threads),
talking to the fake BingX (FLAXU_BINGX_URL) and the test's database, on a Redis of its own.

The worker's broker is a private ``redis-server`` this module starts on a free port (not the shared
REDIS_URL: other tests' workers consume that one, and this module kills and restarts its Redis). The test
publishes to it what ``signal_fan_out_on_commit`` queues after a signal commits: ``fan_out_signal``.

- a new auto-executable signal: fan-out -> one execute task -> exactly one order on the fake, trade OPEN;
- the worker SIGKILLed while BingX holds the answer to its accepted order (the order exists, the trade is
  PENDING): after a restart, reconciliation on worker_ready settles it OPEN; still one order;
- Redis killed and restarted while a task waits on BingX: that trade is recorded once, and the worker
  reconnects (or, when kombu gives up on the outage, is restarted as compose does) and trades the next
  signal (one order each; the execute message kombu puts back is refused as a duplicate).

PostgreSQL + Redis mode only (CI runs it there): skipped without REDIS_URL, like the other worker tests,
or without a ``redis-server`` binary.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import ManagedProcess, start_process, subprocess_env
from trading.models import Trade

from .conftest import ORDER, fresh_signal, live_profile

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI's PostgreSQL + Redis mode)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs a redis-server binary"),
]
WAIT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test only (no persistence): killed and restarted at will."""

    def __init__(self, log_dir: Path) -> None:
        self.port = _free_port()
        self.log_dir = log_dir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = start_process(f"redis-{self.port}", argv, dict(os.environ), self.log_dir)
        self.process.wait_for_log(r"Ready to accept connections")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.popen.wait(10)

    def restart(self) -> None:
        self.kill()
        self.process.log_path.unlink(missing_ok=True)
        self.start()


class OrdersWorker:
    """``celery worker -Q orders --pool=threads --concurrency=8`` as the Procfile starts it."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.process: ManagedProcess | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        argv = [
            sys.executable, "-m", "celery", "-A", "flaxu", "worker", "-n", f"orders-{os.getpid()}-{self.starts}@%h",
            "-Q", "orders", "--loglevel=INFO", "--pool=threads", "--concurrency=8",
        ]  # fmt: skip
        self.process = start_process(f"orders-worker-{self.starts}", argv, self.env, self.log_dir)
        self.process.wait_for_log(r"\bready\.")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no ack, no cleanup (a crash)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.popen.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    if redis.process is not None and redis.process.is_running():
        redis.kill()


@pytest.fixture
def orders_worker(transactional_db, gateway, private_redis, tmp_path):
    """Not started: a test sets ``.env`` extras first (``worker.env.update(...)``), then ``start()``."""
    env = subprocess_env(
        REDIS_URL=private_redis.url,
        FLAXU_BINGX_URL=gateway.api_root,
        REMAP_SIGTERM="SIGQUIT",
        CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="1",
        FLAXU_EXCHANGE_TIMEOUT_MS="10000",
    )
    worker = OrdersWorker(env, tmp_path)
    yield worker
    worker.stop()


def publish_fan_out(redis: PrivateRedis, signal_id: int) -> None:
    """What ``signal_fan_out_on_commit`` does after the signal commits, sent to the worker's Redis."""
    from flaxu.celery import app
    from trading.tasks import fan_out_signal

    deadline = time.monotonic() + WAIT
    while True:
        try:
            with app.connection_for_write(redis.url) as conn:
                app.amqp.queues["orders"].bind(conn.default_channel).declare()
                fan_out_signal.apply_async((signal_id,), connection=conn)
            return
        except OSError:  # Redis restarting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_for(predicate, what: str, worker: OrdersWorker, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s; worker log:\n{worker.process.log_text()[-8000:]}")
        time.sleep(0.1)


def entry_orders(fake, cid: str) -> list[dict]:
    return [o for o in fake.orders("1001") if o.get("clientOrderId") == cid]


def the_trade(signal) -> Trade | None:
    return Trade.objects.filter(signal=signal).first()


def test_a_new_signal_becomes_exactly_one_order_and_an_open_trade(orders_worker, private_redis, trader, gateway):
    orders_worker.start()
    signal = fresh_signal()

    publish_fan_out(private_redis, signal.pk)

    trade = wait_for(lambda: Trade.objects.filter(signal=signal, status="OPEN").first(), "no OPEN trade", orders_worker)
    assert trade.user == trader and trade.mode == "live" and trade.entry_price is not None
    assert len(entry_orders(gateway, trade.client_order_id)) == 1
    assert len(gateway.requests_to(ORDER, "POST")) == 1


def test_a_worker_killed_between_placing_and_recording_settles_on_restart(
    orders_worker, private_redis, trader, gateway
):
    orders_worker.env["FLAXU_EXCHANGE_TIMEOUT_MS"] = "60000"  # it waits on BingX's late answer: killed meanwhile
    orders_worker.start()
    gateway.inject(ORDER, "timeout_after_accept", count=1, method="POST", delay=30)
    signal = fresh_signal()

    publish_fan_out(private_redis, signal.pk)
    trade = wait_for(lambda: the_trade(signal), "no PENDING trade", orders_worker)
    wait_for(lambda: entry_orders(gateway, trade.client_order_id), "no order on the fake", orders_worker)
    orders_worker.kill()

    trade.refresh_from_db()
    assert trade.status == Trade.Status.PENDING and trade.entry_price is None  # placed, never recorded
    gateway.clear_faults()
    orders_worker.env["FLAXU_EXCHANGE_TIMEOUT_MS"] = "10000"
    orders_worker.start()  # worker_ready queues the reconciliation

    wait_for(lambda: Trade.objects.filter(pk=trade.pk, status="OPEN").exists(), "not settled OPEN", orders_worker)
    trade.refresh_from_db()
    assert trade.entry_price is not None and trade.remaining == trade.size
    assert len(entry_orders(gateway, trade.client_order_id)) == 1
    assert len(gateway.requests_to(ORDER, "POST")) == 1  # nothing placed again


def test_redis_restarted_mid_run_records_the_trade_once_and_the_worker_goes_on(
    orders_worker, private_redis, trader, gateway
):
    live_profile(trader, risk_pct=Decimal("0.25"))  # margin for two positions
    orders_worker.start()
    gateway.inject(ORDER, "timeout_after_accept", count=1, method="POST", delay=4)  # under the worker's 10 s
    first = fresh_signal()

    publish_fan_out(private_redis, first.pk)
    trade = wait_for(lambda: the_trade(first), "no trade", orders_worker)
    wait_for(lambda: entry_orders(gateway, trade.client_order_id), "no order on the fake", orders_worker)
    private_redis.restart()  # while the task waits on BingX's answer (the worker puts its unacked message back)

    wait_for(lambda: Trade.objects.filter(pk=trade.pk, status="OPEN").exists(), "first not OPEN", orders_worker)
    log = orders_worker.process.log_text
    wait_for(lambda: log().count("Connected to redis") > 1 or "Unrecoverable error" in log(), "", orders_worker)
    if "Unrecoverable error" in log():
        # kombu 5.7: when Redis is still down as the consumer puts its unacked messages back, the consumer
        # gives up ("Unrecoverable error: AttributeError ... 'hostname'") and the worker shuts down after its
        # running task; compose restarts it (restart: unless-stopped), as here.
        orders_worker.stop()
        orders_worker.start()
    second = fresh_signal("SHORT", stop="66000", tp1="63000", tp2="62000")
    publish_fan_out(private_redis, second.pk)  # the worker reconnected to the new Redis

    other = wait_for(lambda: Trade.objects.filter(signal=second, status="OPEN").first(), "second", orders_worker)
    for t in (trade, other):
        assert len(entry_orders(gateway, t.client_order_id)) == 1
    assert Trade.objects.count() == 2  # a redelivered execute task met the trade row: refused as a duplicate
    assert len(gateway.requests_to(ORDER, "POST")) == 2
