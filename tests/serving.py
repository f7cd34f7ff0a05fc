"""bin/serve (the production web server: gunicorn + N uvicorn workers) as a test subprocess.

`start_serve(log_dir, **env)` starts it on a free loopback port against the test database (environment
from `tests.processes.subprocess_env`, plus `env`), waits until every worker has booted and /healthz
answers, and returns a `Served` (base URL, the arbiter process, the worker pids). Stop it with
`served.process.stop()` (SIGTERM to its process group: the arbiter and its workers).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from tests.processes import BASE_DIR, START_TIMEOUT, ManagedProcess, http_get, start_process, subprocess_env

SERVE = str(BASE_DIR / "bin" / "serve")
_BOOTED = re.compile(r"Started server process \[(\d+)\]")


@dataclass
class Served:
    url: str
    process: ManagedProcess
    worker_pids: list[int]

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http") + "/ws/"


def start_serve(log_dir: Path, name: str = "serve", **env: str) -> Served:
    environment = subprocess_env(FLAXU_HOST="127.0.0.1", FLAXU_PORT="0", **env)
    process = start_process(name, [SERVE], environment, log_dir)
    try:
        port = process.wait_for_log(r"Listening at: http://127\.0\.0\.1:(\d+)").group(1)
        expected = int(environment.get("FLAXU_WEB_PROCESSES", "1"))
        deadline = time.monotonic() + START_TIMEOUT
        while len(pids := _BOOTED.findall(process.log_text())) < expected:
            if not process.is_running() or time.monotonic() > deadline:
                raise process.failure(f"{len(pids)} of {expected} workers started")
            time.sleep(0.1)
        served = Served(f"http://127.0.0.1:{port}", process, [int(pid) for pid in pids])
        while (status := _health(served)) != 200:
            if not process.is_running() or time.monotonic() > deadline:
                raise process.failure(f"/healthz never answered 200 (last: {status})")
            time.sleep(0.2)
        return served
    except BaseException:
        process.stop()
        raise


def _health(served: Served) -> int:
    try:
        return http_get(f"{served.url}/healthz", timeout=5)[0]
    except OSError:
        return 0
