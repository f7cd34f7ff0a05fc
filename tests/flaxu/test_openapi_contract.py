"""The OpenAPI schema and the server agree: schemathesis sends schema-valid requests to a few endpoints
through the WSGI app with a FULL user's token, and every answer must be documented (status code and
content type), match its documented shape, and never be a 5xx. Deterministic and bounded in time."""

from __future__ import annotations

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.cache_reset import cache_clear_own
from tests.openapi import contract as served_contract
from tests.openapi import explore, validated
from tests.trading.factories import grant_full

OPERATIONS = [
    ("GET", "/api/market/candles/"),
    ("GET", "/api/market/tickers/"),
    ("GET", "/api/market/top-coins/"),
    ("POST", "/api/market/alerts/"),
    ("GET", "/api/signals/"),
    ("GET", "/api/signals/{id}/"),
    ("GET", "/api/backtests/"),
    ("GET", "/api/backtests/{id}/"),
    ("GET", "/api/backtests/{id}/trades.csv"),
    ("GET", "/api/credentials/"),
    ("DELETE", "/api/credentials/{id}/"),
    ("GET", "/api/me/"),
    ("PATCH", "/api/me/"),
]
MAX_EXAMPLES = 12
ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def contract(settings, monkeypatch, user):
    """The schema as served and a FULL user's token."""
    grant_full(user)
    return served_contract(user, settings, monkeypatch)


@pytest.mark.django_db(transaction=True)  # the WSGI handler closes connections between requests
def test_generated_requests_get_documented_conforming_answers(contract):
    schema, headers = contract

    for method, path in OPERATIONS:
        explore(schema, headers, method, path, max_examples=MAX_EXAMPLES)


def _validated(schema, auth: dict, method: str, path: str, **case) -> int:
    """Send one chosen request and check its answer against the schema; returns the status code."""
    return validated(schema, auth, method, path, **case).status_code


@pytest.mark.django_db(transaction=True)
def test_chosen_answers_success_400_404_and_429_are_documented_and_conform(contract, user, monkeypatch):
    from datetime import UTC, datetime

    from tests.trading.factories import make_signal
    from trading.models import Backtest

    schema, headers = contract
    signal = make_signal(bar_time=datetime(2024, 1, 2, tzinfo=UTC))
    backtest = Backtest.objects.create(
        user=user,
        exchange="bingx",
        symbol="BTC/USDT:USDT",
        timeframe="5m",
        start=datetime(2024, 1, 2, tzinfo=UTC),
        end=datetime(2024, 1, 3, tzinfo=UTC),
    )
    expected = [
        # real rows through the documented shapes
        ("GET", "/api/signals/", {}, 200),
        ("GET", "/api/signals/{id}/", {"path_parameters": {"id": signal.pk}}, 200),
        ("GET", "/api/backtests/", {}, 200),
        ("GET", "/api/backtests/{id}/", {"path_parameters": {"id": backtest.pk}}, 200),
        ("GET", "/api/backtests/{id}/trades.csv", {"path_parameters": {"id": backtest.pk}}, 200),
        # an empty value is a value: refused, not read as "no filter"
        ("GET", "/api/signals/", {"query": {"symbol": ""}}, 400),
        ("GET", "/api/sniper/alerts/", {"query": {"symbol": ""}}, 400),
        ("GET", "/api/market/tickers/", {"query": {"symbol": ""}}, 400),
        ("GET", "/api/market/tickers/", {"query": {"exchange": ""}}, 400),
        ("GET", "/api/market/top-coins/", {"query": {"sort": ""}}, 400),
        ("GET", "/api/market/top-coins/", {"query": {"sort": "-nonsense"}}, 400),
        ("GET", "/api/market/candles/", {"query": {"symbol": "NOPE/USDT:USDT", "timeframe": "1h"}}, 400),
        # a CSV endpoint answers its errors in the JSON error shape, whatever was asked for
        ("GET", "/api/backtests/{id}/trades.csv", {"path_parameters": {"id": 10**6}, "query": {"format": "csv"}}, 404),
        (
            "GET",
            "/api/backtests/{id}/trades.csv",
            {"path_parameters": {"id": 10**6}, "headers": {"Accept": "text/csv"}},
            404,
        ),
        ("GET", "/api/signals/{id}/", {"path_parameters": {"id": 10**6}}, 404),
    ]
    for method, path, case, status in expected:
        assert _validated(schema, headers, method, path, **case) == status, (method, path, case)

    cache_clear_own()  # the throttle history of the calls above
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"api": "1/m", "auth": "1/m", "trading": "1/m"})
    statuses = [_validated(schema, headers, "GET", "/api/me/") for _ in range(2)]
    assert statuses == [200, 429]


def test_the_backtest_list_is_documented_as_a_page_and_every_error_as_the_error_shape(client, db):
    document = client.get("/api/schema/?format=json").json()
    listed = document["paths"]["/api/backtests/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed == {"$ref": "#/components/schemas/PaginatedBacktestList"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "403", "429"} <= set(responses), (method, path)
            for code, response in responses.items():
                if code >= "400":
                    assert response["content"] == {"application/json": {"schema": ERROR}}, (method, path, code)
    assert "MarketError" not in document["components"]["schemas"]


def test_symbols_exchanges_sorts_and_timeframes_are_enumerated(client, db):
    from market.selectors import snapshots
    from market.services.intel import TOP_SORTS
    from market.timeframes import TIMEFRAMES

    document = client.get("/api/schema/?format=json").json()

    def query_enum(path: str, name: str) -> list:
        parameters = document["paths"][path]["get"]["parameters"]
        return next(p for p in parameters if p["name"] == name)["schema"]["enum"]

    for path in ("/api/market/candles/", "/api/market/tickers/", "/api/market/heatmap/", "/api/signals/"):
        assert query_enum(path, "symbol") == snapshots.universe(), path
    assert query_enum("/api/market/tickers/", "exchange") == snapshots.exchanges()
    assert set(query_enum("/api/market/top-coins/", "sort")) == {*TOP_SORTS, *(f"-{key}" for key in TOP_SORTS)}
    assert set(query_enum("/api/market/candles/", "timeframe")) == set(TIMEFRAMES)
    alert = document["components"]["schemas"]["PriceAlertCreateRequest"]["properties"]["symbol"]
    assert alert["enum"] == snapshots.universe()
