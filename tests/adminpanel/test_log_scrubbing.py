"""No log line prints a secret, whichever handler prints it: the signed URL and API key inside a failed
exchange call's traceback, a websocket token in an access line, a configured secret in a message."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import ccxt
import pytest
from django.conf import settings

SIGNATURE = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
API_KEY = "ApiKeyValue1234567890"
TOKEN = "tok_SECRET_websocket_key_123"


@pytest.fixture
def printed():
    """What a plain handler (as gunicorn's or Celery's would) prints for the records of one logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("tests.log_scrubbing")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


def test_a_failed_exchange_calls_traceback_keeps_its_shape_but_not_the_signed_url_or_the_key(printed):
    logger, stream = printed
    try:
        try:
            raise ccxt.ExchangeError(
                f"bingx GET https://open-api.bingx.com/openApi/swap/v2/user/balance?timestamp=1&signature={SIGNATURE} "
                f'{{"X-BX-APIKEY": "{API_KEY}"}}'
            )
        except ccxt.ExchangeError as exc:
            raise RuntimeError("balance read failed") from exc
    except RuntimeError:
        logger.exception("Refreshing the wallet failed for user %s", 7)
    text = stream.getvalue()
    assert SIGNATURE not in text and API_KEY not in text
    assert "Refreshing the wallet failed for user 7" in text
    assert "ccxt.base.errors.ExchangeError" in text and "RuntimeError: balance read failed" in text
    assert "Traceback (most recent call last)" in text


def test_a_websocket_token_in_an_access_line_and_a_configured_secret_in_a_message_are_masked(printed):
    logger, stream = printed
    logger.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:50000", f"/ws/?token={TOKEN}&v=2")
    logger.warning("Connecting with %s", f"postgres://flaxu:{settings.SECRET_KEY}@db:5432/flaxu")
    logger.warning("Key ring is %s", settings.FLAXU_ENCRYPTION_KEYS)
    text = stream.getvalue()
    assert TOKEN not in text and "/ws/?token=***&v=2" in text
    assert settings.SECRET_KEY not in text
    for entry in settings.FLAXU_ENCRYPTION_KEYS.split(","):
        assert entry.split(":", 1)[-1] not in text


def test_every_process_that_loads_django_scrubs_its_log_records():
    code = (
        "import django, logging; django.setup(); print(getattr(logging.getLogRecordFactory(), 'scrubs_secrets', False))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=settings.BASE_DIR
    )
    assert done.stdout.strip() == "True", done.stderr[-2000:]
