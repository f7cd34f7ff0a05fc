"""Celery work is routed by urgency and consumed so that slow work can never hold back prices.

The routing table sends every task of our apps to its intended queue; every queue is consumed by a
worker of `make run` (Procfile) and of production (docker-compose.yml); no worker that consumes
prices also consumes slow work; and a worker started exactly as the Procfile starts the prices worker
refreshes prices promptly while a backlog of candle ingestion waits.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from flaxu.celery import app
from tests.processes import SESSION_WORKERS, redeclare_task_queues, start_process, subprocess_env

ROOT = Path(__file__).resolve().parents[2]

# Every task of our apps and the queue it must land in. A new task fails the first test until it is
# given a queue here (and, if not `default`, in CELERY_TASK_ROUTES).
EXPECTED = {
    "prices": {
        "market.tasks.refresh.refresh_tickers",
        "market.tasks.alerts.check_price_alerts",
        "core.realtime.tasks.notify_user",
    },
    "orders": {
        "trading.tasks.watch_paper_trades",
        "trading.tasks.execute_signal_for_user",
        "trading.tasks.fan_out_signal",
        "trading.tasks.close_trade",
        "trading.tasks.reconcile_trades",
        "trading.tasks.sync_positions",
        "trading.tasks.sync_user_positions",
        "trading.tasks.check_daily_loss",
        "trading.tasks.check_daily_loss_for_user",
    },
    "signals": {
        "trading.tasks.run_signals",
        "trading.tasks.update_signal_outcomes",
        "trading.tasks.scan_sniper",
    },
    "default": {
        "core.realtime.tasks.ping",
        "core.realtime.tasks.prune_outbox",
        "gatekeeper.tasks.expire_overrides",
        "market.tasks.refresh.refresh_order_books",
        "market.tasks.refresh.refresh_order_books_for",
        "market.tasks.refresh.refresh_derivatives",
        "market.tasks.refresh.refresh_liquidations",
        "market.tasks.refresh.refresh_markets",
        "market.tasks.intel.refresh_arbitrage",
        "market.tasks.intel.refresh_funding_table",
        "market.tasks.intel.refresh_long_short_table",
        "market.tasks.intel.refresh_open_interest_table",
    },
    "bulk": {
        "market.tasks.refresh.ingest_candles",
        "market.tasks.refresh.ingest_candles_for",
        "market.tasks.refresh.prune_candles",
        "market.tasks.refresh.repair_candles",
        "market.tasks.intel.refresh_liquidation_heatmaps",
        "market.tasks.intel.refresh_top_coins",
        "market.tasks.intel.refresh_fear_greed",
        "market.tasks.intel.refresh_altcoin_season",
        "adminpanel.tasks.prune_error_records",
        "adminpanel.tasks.rollup_recent_trading",
        "adminpanel.tasks.rollup_all_trading",
    },
    "reports": {
        "trading.tasks.run_backtest",
        "trading.tasks.refresh_calibration",
        "gatekeeper.tasks.revalidate_all",
        "gatekeeper.tasks.revalidate_slice",
        "gatekeeper.tasks.revalidate_user",
    },
}
SLOW = {"bulk", "reports"}
_QUEUES_OPTION = re.compile(r"(?:-Q|--queues)[= ]\s*(\S+)")


def our_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def routed_queue(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def consumed(command: str) -> set[str] | None:
    """The queues a `celery worker` command consumes; None when it names none (then: every queue)."""
    match = _QUEUES_OPTION.search(command)
    return set(match.group(1).split(",")) if match else None


def procfile_workers() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    entries = dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name: command for name, command in entries.items() if " worker" in command}


def compose_workers() -> dict[str, str]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = {name: " ".join(service.get("command") or []) for name, service in services.items()}
    return {name: command for name, command in commands.items() if "celery" in command and " worker" in command}


def test_every_task_of_our_apps_goes_to_its_intended_queue():
    expected = {task: queue for queue, tasks in EXPECTED.items() for task in tasks}

    assert our_tasks() == set(expected), "a task was added or removed: give it a queue in EXPECTED"
    assert {task: routed_queue(task) for task in expected} == expected
    assert set(app.amqp.queues) == set(EXPECTED)  # a worker without -Q consumes all of them


@pytest.mark.parametrize(("where", "workers"), [("Procfile", procfile_workers), ("compose", compose_workers)])
def test_every_queue_is_consumed_and_prices_never_share_a_worker_with_slow_work(where, workers):
    commands = workers()
    assert len(commands) >= 2, commands
    queues = {name: consumed(command) for name, command in commands.items()}

    assert all(q is not None for q in queues.values()), f"{where}: a worker without -Q also takes slow work"
    covered = set().union(*queues.values())
    assert {routed_queue(task) for task in our_tasks()} <= covered, f"{where}: a queue nobody consumes"
    for name, names in queues.items():
        assert not ("prices" in names and names & SLOW), f"{where}: {name} takes prices and slow work"


# --- a real prices worker behind a bulk backlog ------------------------------------------------------


def procfile_prices_worker(name: str) -> tuple[list[str], dict[str, str]]:
    """The Procfile's prices worker as argv + extra env, run with this interpreter and a unique name."""
    [command] = [c for c in procfile_workers().values() if "prices" in (consumed(c) or set())]
    words = shlex.split(command)
    env = {}
    while "=" in words[0] or words[0] == "exec":
        word = words.pop(0)
        if word != "exec":
            key, _, value = word.partition("=")
            env[key] = value
    assert words[0].endswith("celery"), command
    argv = [sys.executable, "-m", "celery", *words[1:]]
    if "-n" in argv:
        argv[argv.index("-n") + 1] = f"{name}@%h"
    else:
        argv += ["-n", f"{name}@%h"]
    return [*argv, "--without-mingle", "--without-gossip", "--without-heartbeat"], env


@contextmanager
def session_workers_paused() -> Iterator[None]:
    """Freeze the session's all-queues test worker (if another test started it): this test needs to
    know which worker takes which message."""
    groups = [os.getpgid(w.pid) for w in SESSION_WORKERS if w.is_running()]
    for group in groups:
        os.killpg(group, signal.SIGSTOP)
    if groups:
        time.sleep(2.5)  # with Redis, a blocking pop it had already issued expires (1 s) unanswered
    try:
        yield
    finally:
        for group in groups:
            os.killpg(group, signal.SIGCONT)


def queue_length(name: str) -> int:
    with app.connection_for_write() as conn:
        # Not passive: kombu's Redis transport checks a passive declare with an EXISTS it does not prefix,
        # so under xdist (a key prefix per worker, flaxu/settings_test.py) the queue would look missing.
        return conn.default_channel.queue_declare(name).message_count


def test_a_price_refresh_runs_promptly_behind_a_backlog_of_bulk_work(transactional_db, tmp_path):
    from market.selectors import snapshots
    from market.selectors.candles import candle_exchanges
    from market.tasks.refresh import ingest_candles_for, refresh_tickers

    argv, extra = procfile_prices_worker(f"prices-test-{os.getpid()}")
    with session_workers_paused():
        redeclare_task_queues()
        app.control.purge()
        worker = start_process("prices-worker", argv, subprocess_env(**extra), tmp_path)
        try:
            worker.wait_for_log(r"\bready\.")
            # The backlog of a minute of `make run`: one ingestion per exchange and symbol.
            backlog = [(ex, symbol) for ex in candle_exchanges() for symbol in snapshots.universe()] * 3
            for exchange, symbol in backlog[:30]:
                ingest_candles_for.delay(exchange, symbol, ["1m", "5m", "15m", "1h", "4h", "1d"])
            sent_at = datetime.now(UTC)
            task_id = refresh_tickers.delay().id

            worker.wait_for_log(rf"\[{task_id}\] succeeded", timeout=20)  # behind 30 queued ingestions
            log = worker.log_text()
            assert snapshots.tickers("bingx").updated_at >= sent_at
            assert "ingest_candles_for[" not in log  # the prices worker never received bulk work
            assert queue_length("bulk") == 30  # it waits for the bulk worker
        finally:
            worker.stop()
            app.control.purge()
