"""Settings of the test suite: pyproject.toml names this module to pytest-django, and tests/processes.py
gives it to the subprocesses tests start (Daphne, the Celery worker, bin/serve).

Under pytest-xdist each worker (gw0, gw1, ...) gets a partition of its own, so workers never see each
other's data: a FLAXU_VAR_DIR below the run's (SQLite test database, file cache, filesystem broker,
static root) and, with Redis, its own key prefixes in the one REDIS_URL database (cache, Celery broker
and results, channel layer). PostgreSQL test databases are suffixed per worker by pytest-django.
The partition's name is kept in FLAXU_TEST_WORKER, which subprocesses inherit: they use the same
partition instead of nesting another one.
"""

import os
from pathlib import Path

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and os.environ.get("FLAXU_TEST_WORKER") != _WORKER:
    # Before flaxu.settings reads the environment; subprocesses inherit the worker's directory.
    _run_var_dir = os.environ.get("FLAXU_VAR_DIR") or str(Path(__file__).resolve().parent.parent / "var")
    os.environ["FLAXU_VAR_DIR"] = str(Path(_run_var_dir) / f"xdist-{_WORKER}")
    os.environ["FLAXU_TEST_WORKER"] = _WORKER

from flaxu.settings import *  # noqa: E402, F403
from flaxu.settings import CACHES, CHANNEL_LAYERS, REDIS_URL, STORAGES, VAR_DIR  # noqa: E402

TEST_WORKER = os.environ.get("FLAXU_TEST_WORKER", "")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
# Tests render pages without collectstatic, also when run with DEBUG=False.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

if not REDIS_URL:
    CACHES["default"]["LOCATION"] = str(VAR_DIR / "test-cache")
elif TEST_WORKER:
    _prefix = f"flaxu-test-{TEST_WORKER}"
    CACHES["default"]["KEY_PREFIX"] = f"{_prefix}-cache"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"{_prefix}-asgi"
    # kombu and Celery's Redis backend put this before every key they use (queues, bindings, unacked, results).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{_prefix}-celery:"}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{_prefix}-celery:"}
