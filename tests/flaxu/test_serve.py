"""bin/serve, the production web server: N processes on one port, sharing pushes through channels-redis."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from websockets.sync.client import connect

from accounts.services.tokens import token_create
from core.realtime.push import push_to_user
from tests.processes import http_get
from tests.serving import SERVE, start_serve

PROCESSES = 3
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The access line a worker logs for each socket it accepts, with its pid.
ACCEPTED = re.compile(r'\[(\d+)\] \[INFO\] [\d.:]+ - "WebSocket /ws/" \[accepted\]')


def parent_pid(pid: int) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its ")".
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.mark.integration
@pytest.mark.skipif(not settings.REDIS_URL, reason="several web processes need REDIS_URL (channels-redis)")
def test_n_processes_serve_http_and_websockets_and_share_every_push(transactional_db, user, tmp_path):
    _token, key = token_create(user=user, name="serve")
    served = start_serve(tmp_path, FLAXU_WEB_PROCESSES=str(PROCESSES))
    try:
        arbiter = served.process.pid
        assert len(set(served.worker_pids)) == PROCESSES
        assert all(parent_pid(pid) == arbiter for pid in served.worker_pids)

        # Static files (WhiteNoise) and pages come from any of them; the server does not name itself.
        with NO_PROXY.open(f"{served.url}/static/css/flaxu.css", timeout=10) as response:
            assert response.status == 200
            assert response.headers.get("Server") is None
        assert http_get(f"{served.url}/readyz")[0] == 200

        with ExitStack() as stack:
            sockets = []
            # Open sockets until at least two processes hold some (the kernel picks who accepts).
            for _ in range(60):
                ws = stack.enter_context(
                    connect(
                        served.ws_url,
                        additional_headers={"Authorization": f"Token {key}"},
                        proxy=None,
                        open_timeout=10,
                    )
                )
                assert json.loads(ws.recv(timeout=10))["type"] == "hello"
                # The client offers permessage-deflate; the server declines (no per-socket compression).
                assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
                sockets.append(ws)
                holders = set(ACCEPTED.findall(served.process.log_text()))
                if len(sockets) >= 6 and len(holders) >= 2:
                    break
            assert len(holders) >= 2, f"every socket landed in one process: {holders}"

            # One push, sent through Redis from outside the server, reaches every socket in every process.
            nonce = uuid.uuid4().hex
            push_to_user(user.pk, "notice", {"nonce": nonce})
            for ws in sockets:
                assert json.loads(ws.recv(timeout=10)) == {"type": "notice", "data": {"nonce": nonce}}
    finally:
        served.process.stop()


def test_several_processes_without_redis_are_refused_with_the_reason():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["FLAXU_WEB_PROCESSES"] = "2"

    result = subprocess.run([SERVE], env=env, capture_output=True, text=True, timeout=30, check=False)

    assert result.returncode == 2
    assert "FLAXU_WEB_PROCESSES=2 needs REDIS_URL" in result.stderr
    assert "in-memory" in result.stderr


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_process_count_that_is_not_a_whole_number_is_refused(value):
    env = {**os.environ, "FLAXU_WEB_PROCESSES": value}
    result = subprocess.run([SERVE], env=env, capture_output=True, text=True, timeout=30, check=False)

    assert result.returncode == 2
    assert "FLAXU_WEB_PROCESSES must be a whole number of at least 1" in result.stderr


@pytest.mark.integration
def test_one_process_serves_without_redis(transactional_db, tmp_path):
    """The embedded default (no REDIS_URL) runs one process; so does the Redis mode when asked to."""
    served = start_serve(tmp_path, FLAXU_WEB_PROCESSES="1")
    try:
        assert len(served.worker_pids) == 1
        assert http_get(f"{served.url}/healthz") == (200, '{"status": "alive"}')
    finally:
        served.process.stop()
