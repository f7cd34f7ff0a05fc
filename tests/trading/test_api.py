"""The signals and sniper API: lists with filters and clear 400s, a signal's detail with reasons, events and
calibration, backtest status and results; the endpoints are in the OpenAPI schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.trading.factories import BTC, EXCHANGE, seed_candles
from trading.models import Signal
from trading.services.backtests import backtest_create, backtest_run
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals():
    seed_candles(1500)
    return signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m")


def test_signal_list_with_filters(full_client, signals):
    body = full_client.get("/api/signals/").json()
    assert body["count"] == len(signals) and len(body["results"]) == min(50, len(signals))
    newest = body["results"][0]
    assert newest["id"] == max(signals, key=lambda s: (s.bar_time, s.pk)).pk
    assert set(newest) >= {
        "symbol",
        "timeframe",
        "bar_time",
        "direction",
        "entry",
        "stop_loss",
        "take_profit_1",
        "take_profit_2",
        "confidence",
        "auto_executable",
        "setup",
        "url",
    }
    assert isinstance(newest["entry"], str)  # Decimal as a string

    shorts = full_client.get("/api/signals/", {"direction": "SHORT", "min_confidence": 65, "symbol": "BTC"}).json()
    want = Signal.objects.filter(direction="SHORT", confidence__gte=65).count()
    assert shorts["count"] == want
    assert all(r["direction"] == "SHORT" and r["confidence"] >= 65 for r in shorts["results"])
    assert full_client.get("/api/signals/", {"symbol": "ETH"}).json()["count"] == 0


def test_bad_filters_are_400(full_client, signals):
    response = full_client.get("/api/signals/", {"direction": "UP", "min_confidence": 101})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"direction", "min_confidence"}


def test_signal_detail(full_client, signals):
    signal = signals[-1]
    body = full_client.get(f"/api/signals/{signal.pk}/").json()
    assert body["reasons"] == signal.reasons and len(body["events"]) == len(signal.events)
    assert body["calibration"]["sentence"] == "no backtested cases of setups like this yet"
    assert body["calibration"]["hit_rate"] is None and body["auto_executable"] is False  # backfilled: historical
    assert full_client.get("/api/signals/999999/").status_code == 404


def test_sniper_alert_list(full_client):
    body = full_client.get("/api/sniper/alerts/", {"move": "DUMP"}).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}
    assert full_client.get("/api/sniper/alerts/", {"move": "SIDEWAYS"}).status_code == 400


def test_backtest_status_and_results(full_client, full_user):
    seed_candles(3000, seed=12)
    backtest = backtest_create(
        user=full_user,
        symbol=BTC,
        timeframe="5m",
        start=datetime(2024, 1, 3, tzinfo=UTC),
        end=datetime(2024, 1, 10, tzinfo=UTC),
    )
    queued = full_client.get(f"/api/backtests/{backtest.pk}/").json()
    assert queued["status"] == "queued" and queued["progress"] == 0 and queued["stats"] == {}

    backtest_run(backtest_id=backtest.pk)
    done = full_client.get(f"/api/backtests/{backtest.pk}/").json()
    assert done["status"] == "done" and done["progress"] == 100
    assert done["stats"]["trades"] == done["trades_count"]
    assert done["trades_csv"] == f"/api/backtests/{backtest.pk}/trades.csv"
    assert done["equity"] and len(done["equity"][0]) == 2
    listing = full_client.get("/api/backtests/").json()
    assert [b["id"] for b in listing["results"]] == [backtest.pk]


def test_the_status_endpoint_can_be_polled_every_second(full_client, full_user, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    seed_candles(2000)
    backtest = backtest_create(
        user=full_user,
        symbol=BTC,
        timeframe="5m",
        start=datetime(2024, 1, 2, tzinfo=UTC),
        end=datetime(2024, 1, 5, tzinfo=UTC),
    )
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "api": "3/15m"})
    for _ in range(10):  # more than the general API budget
        assert full_client.get(f"/api/backtests/{backtest.pk}/").status_code == 200
    statuses = [full_client.get("/api/backtests/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_endpoints_are_in_the_schema(full_client):
    schema = full_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = schema.json()["paths"] if schema["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(schema.content)["paths"]
    for path in (
        "/api/signals/",
        "/api/signals/{id}/",
        "/api/sniper/alerts/",
        "/api/backtests/",
        "/api/backtests/{id}/",
        "/api/backtests/{id}/trades.csv",
    ):
        assert path in paths, path
    assert "post" in paths["/api/backtests/"]


def test_a_signal_carries_expected_r_evidence_outcome_and_verdict_and_executable_filters(full_client):
    from datetime import timedelta

    from tests.trading.factories import make_signal

    t0 = datetime(2024, 3, 1, tzinfo=UTC)
    earns = make_signal(bar_time=t0, entry="100000", stop_loss="99000", take_profit_1="102000", take_profit_2="103000",
                        evidence_rate=0.54, evidence_low=0.41, evidence_high=0.66, evidence_n=62, evidence_mean_r=0.18,
                        evidence_class="swing_ob LONG 5m", evidence_level=0, outcome="stopped", outcome_r=-1.12,
                        outcome_at=t0 + timedelta(hours=2))  # fmt: skip
    thin = make_signal(bar_time=t0 + timedelta(minutes=5), evidence_n=3, evidence_mean_r=0.5)

    every = full_client.get("/api/signals/").json()
    assert [r["id"] for r in every["results"]] == [thin.pk, earns.pk]
    row = every["results"][1]
    assert row["r_tp1_net"] == 1.68 and row["r_tp2_net"] == 2.57 and row["risk_reward"] == [2.0, 3.0]
    assert row["evidence_text"] == "54 % (41\u201366 %), n=62" and row["evidence_mean_r"] == 0.18
    assert (row["outcome"], row["outcome_r"], row["outcome_at"]) == ("stopped", -1.12, "2024-03-01T02:00:00Z")
    assert row["auto_executable"] is True and row["verdict"].startswith("Auto-executable")
    assert row["distance_pct"] is None  # no cached price
    assert "automation needs at least 30" in every["results"][0]["verdict"]

    executable = full_client.get("/api/signals/", {"executable": "true"}).json()
    assert [r["id"] for r in executable["results"]] == [earns.pk]
    paged = full_client.get("/api/signals/", {"limit": 1, "offset": 1}).json()
    assert paged["count"] == 2 and [r["id"] for r in paged["results"]] == [earns.pk] and paged["previous"]
    detail = full_client.get(f"/api/signals/{earns.pk}/").json()
    assert detail["r_tp1_net"] == 1.68 and detail["evidence_n"] == 62


def test_the_signal_list_documents_its_pages_and_filters(full_client):
    document = full_client.get("/api/schema/?format=json").json()
    operation = document["paths"]["/api/signals/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"limit", "offset", "symbol", "timeframe", "direction", "min_confidence", "setup", "since",
            "executable"} <= set(parameters)  # fmt: skip
    assert parameters["executable"]["schema"]["type"] == "boolean"
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    results = document["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    fields = document["components"]["schemas"][results]["properties"]
    assert {"r_tp1_net", "evidence_rate", "evidence_low", "evidence_high", "evidence_n", "evidence_mean_r",
            "outcome", "outcome_r", "verdict", "distance_pct", "known_at"} <= set(fields)  # fmt: skip
