"""ccxt's exceptions become gateway errors, and nothing secret survives in their messages."""

from __future__ import annotations

import ccxt
import pytest

from market.exchanges import errors
from market.exchanges.translation import from_ccxt, scrub

KEY, SECRET = "AbCdEfGhIjKlMnOpQrStUvWxYz012345", "ZyXwVuTsRqPoNmLkJiHgFeDcBa987654"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            ccxt.AuthenticationError('bingx {"code":100001,"msg":"Signature verification failed"}'),
            errors.InvalidCredentials,
        ),
        (ccxt.PermissionDenied('bingx {"code":100004,"msg":"Permission denied"}'), errors.PermissionRefused),
        (ccxt.InsufficientFunds('bingx {"code":101204,"msg":"Insufficient margin"}'), errors.InsufficientFunds),
        (
            ccxt.DuplicateOrderId('bingx {"code":101481,"msg":"clientOrderID cannot be repeated"}'),
            errors.DuplicateOrder,
        ),
        (
            ccxt.RateLimitExceeded("bingx GET https://x/openApi/a?signature=ff 429 Too Many Requests"),
            errors.RateLimited,
        ),
        (ccxt.RequestTimeout("bingx GET https://x/openApi/a?signature=ff"), errors.ExchangeUnavailable),
        (ccxt.NetworkError("bingx GET https://x"), errors.ExchangeUnavailable),
        (ccxt.ExchangeNotAvailable("bingx GET https://x 503"), errors.ExchangeUnavailable),
        (ccxt.OnMaintenance("bingx"), errors.ExchangeUnavailable),
        (ccxt.BadResponse("bingx answered with a body that is not JSON"), errors.ExchangeUnavailable),
        (ccxt.ExchangeError('bingx {"code":100503,"msg":"Server busy, maintenance"}'), errors.ExchangeUnavailable),
        (
            ccxt.BadSymbol('bingx {"code":100421,"msg":"Null timestamp or timestamp mismatch"}'),
            errors.ExchangeUnavailable,
        ),
        (ccxt.BadSymbol("bingx does not have market symbol NOPE/USDT"), errors.InvalidRequest),
        (ccxt.NotSupported("bingx fetchX() is not supported"), errors.NotOffered),
        (ccxt.BadRequest('bingx {"code":109400,"msg":"Invalid parameters"}'), errors.InvalidRequest),
        (ccxt.ExchangeError('bingx {"code":80018,"msg":"order is already filled"}'), errors.InvalidRequest),
        (KeyError("data"), errors.ExchangeUnavailable),
    ],
)
def test_ccxt_exceptions_map_to_gateway_errors(exc, expected):
    assert type(from_ccxt(exc, exchange="bingx")) is expected


@pytest.mark.parametrize(
    "exc",
    [
        ccxt.InvalidOrder('bingx {"code":101400,"msg":"Order size error"}'),
        ccxt.BadRequest('bingx {"code":109400,"msg":"In the Hedge mode, the PositionSide field can only be LONG"}'),
        ccxt.ExchangeError('bingx {"code":110411,"msg":"Stop Loss price should be lower than the current price"}'),
    ],
)
def test_refusals_of_an_order_are_order_rejected_with_bingxs_reason(exc):
    error = from_ccxt(exc, exchange="bingx", placing_order=True)

    assert isinstance(error, errors.OrderRejected)
    assert error.reason.split(" (code")[0] in str(exc)


def test_a_5xx_status_is_an_outage_whatever_the_body_says():
    exc = ccxt.ExchangeError('bingx {"code":109400,"msg":"whatever"}')

    assert type(from_ccxt(exc, exchange="bingx", http_status=502, placing_order=True)) is errors.ExchangeUnavailable


def test_rate_limited_carries_retry_after():
    error = from_ccxt(ccxt.RateLimitExceeded("bingx 429"), exchange="bingx", retry_after=7.0)

    assert error.retry_after == 7.0


def test_messages_lose_keys_secrets_signatures_and_query_strings():
    exc = ccxt.ExchangeNotAvailable(
        f"bingx GET https://open-api.bingx.com/openApi/swap/v3/user/balance?timestamp=1&signature=deadbeef 503 "
        f'{{"apiKey":"{KEY}","secret":"{SECRET}"}} X-BX-APIKEY: {KEY}'
    )

    message = from_ccxt(exc, exchange="bingx", sensitive=(KEY, SECRET)).message

    assert KEY not in message and SECRET not in message
    assert "deadbeef" not in message and "timestamp=1" not in message
    assert "/openApi/swap/v3/user/balance" in message


def test_scrub_redacts_credential_looking_pairs_even_when_the_values_are_unknown():
    text = scrub('{"apiKey": "k123456", "signature": "s123456"} passphrase=p123456 /path?sign=abc')

    assert "k123456" not in text and "s123456" not in text and "p123456" not in text and "abc" not in text


def test_long_messages_are_cut():
    assert len(scrub("x" * 5000)) <= 300
