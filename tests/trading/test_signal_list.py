"""The signals list pages 50 at a time (filters kept in the page links), sorts by what it shows (when a
signal became known, newest first), and writes symbols and prices as traders do, here, on a signal's
page, on the sniper page and in the pushes; on a phone the columns a trader acts on stay on screen."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.trading.factories import BTC, EXCHANGE, make_signal
from trading.models import SniperAlert
from trading.services.signals import signal_event
from trading.services.sniper import alert_event

pytestmark = pytest.mark.django_db
T0 = datetime(2024, 3, 1, tzinfo=UTC)
# Evidence that makes a confidence-80 signal auto-executable (the list shows those by default).
EARNS = {"evidence_rate": 0.54, "evidence_low": 0.41, "evidence_high": 0.66, "evidence_n": 62, "evidence_mean_r": 0.18,
         "evidence_class": "swing_ob LONG 5m", "evidence_level": 0}  # fmt: skip


def body(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def row_ids(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-signal-id="(\d+)"', text)]


def test_signals_are_paged_with_links_that_keep_the_filters(full_client):
    longs = [make_signal(bar_time=T0 + timedelta(minutes=5 * i), **EARNS) for i in range(120)]
    for i in range(10):
        make_signal(bar_time=T0 + timedelta(minutes=5 * i), direction="SHORT", **EARNS)

    first = body(full_client.get("/signals/", {"direction": "LONG"}))
    assert row_ids(first) == [s.pk for s in reversed(longs)][:50]
    assert "1\u201350 of 120" in first  # an en dash
    assert 'href="?direction=LONG&page=2"' in first and 'href="?direction=LONG&page=3"' in first
    assert '<span aria-current="page">1</span>' in first

    third = body(full_client.get("/signals/", {"direction": "LONG", "page": 3}))
    assert row_ids(third) == [s.pk for s in reversed(longs)][100:]
    assert 'rel="prev" href="?direction=LONG&page=2"' in third and 'rel="next"' not in third
    assert 'id="signal-table" class="signals stack-on-phone" data-page="3"' in third
    # the filter form still shows the filter; a page past the end shows the last one
    assert '<option value="LONG" selected>' in third
    assert row_ids(body(full_client.get("/signals/", {"direction": "LONG", "page": 99}))) == row_ids(third)


def test_the_newest_known_signal_comes_first_whatever_its_timeframe(full_client):
    five = make_signal(bar_time=T0 + timedelta(minutes=50), **EARNS)  # opens 00:50, known at 00:55
    hourly = make_signal(bar_time=T0, timeframe="1h", **EARNS)  # opens 00:00, known at 01:00
    assert hourly.known_at > five.known_at and hourly.bar_time < five.bar_time

    assert row_ids(body(full_client.get("/signals/"))) == [hourly.pk, five.pk]
    api = full_client.get("/api/signals/").json()["results"]
    assert [s["id"] for s in api] == [hourly.pk, five.pk]
    assert api[0]["known_at"] == "2024-03-01T01:00:00Z"


def test_symbols_and_prices_are_written_as_traders_do(full_client):
    signal = make_signal(bar_time=T0, entry="97000.5", stop_loss="96500", take_profit_1="98000.25", **EARNS)
    listing = body(full_client.get("/signals/"))
    row = re.search(rf'<tr data-signal-id="{signal.pk}">.*?</tr>', listing, re.S).group(0)
    assert ">BTC/USDT perp</a>" in row and "BTC/USDT:USDT" not in row
    assert ">97,000.50<" in row and ">96,500.00<" in row and ">98,000.25<" in row
    assert '<option value="BTC/USDT:USDT">BTC/USDT perp</option>' in listing

    detail = body(full_client.get(f"/signals/{signal.pk}/"))
    assert re.search(r"<h1>.*LONG</span> BTC/USDT perp · 5m</h1>", detail)
    assert "<title>LONG BTC/USDT perp 5m" in detail and ">97,000.50<" in detail

    alert = SniperAlert.objects.create(
        exchange=EXCHANGE, symbol=BTC, time=T0, move="DUMP", change_pct=Decimal("-12.5"), cleared_pct=Decimal("90"),
        direction="SHORT", entry=Decimal("87000.5"), stop_loss=Decimal("90000"), take_profit=Decimal("81000"),
        origin_price=Decimal("99000"),
    )  # fmt: skip
    sniper = body(full_client.get("/signals/sniper/"))
    assert '<td class="c-symbol">BTC/USDT perp</td>' in sniper and ">87,000.50<" in sniper

    assert signal_event(signal)["symbol_label"] == "BTC/USDT perp"
    assert alert_event(alert)["symbol_label"] == "BTC/USDT perp"


def test_on_a_phone_the_key_columns_are_marked_to_stay_and_tp2_to_go(full_client, settings):
    make_signal(bar_time=T0, **EARNS)
    listing = body(full_client.get("/signals/"))
    assert 'class="signals stack-on-phone"' in listing
    row = re.search(r"<tr data-signal-id=.*?</tr>", listing, re.S).group(0)
    for kept in ("c-symbol", "c-side", "c-entry", "c-stop", "c-tp1", "c-conf", "c-known"):
        assert re.search(rf'<td class="[^"]*\b{kept}\b(?![^"]*secondary)', row), kept
    for dropped in ("c-tp2", "c-rr", "c-exp", "c-evidence", "c-dist", "c-outcome"):
        assert re.search(rf'<td class="[^"]*{dropped} secondary"', row), dropped
    css = (settings.BASE_DIR / "static/css/trading.css").read_text()
    phone = css[css.index("@media (max-width: 640px)") :]
    assert "table.stack-on-phone thead, table.stack-on-phone .secondary { display: none; }" in phone
    assert '"symbol side conf" "entry stop tp1" "known tf setup"' in phone


def row_of(text: str, signal) -> str:
    return re.search(rf'<tr data-signal-id="{signal.pk}">.*?</tr>', text, re.S).group(0)


def test_the_list_shows_auto_executable_signals_unless_all_are_chosen(full_client):
    earns = make_signal(bar_time=T0, **EARNS)
    low = make_signal(bar_time=T0 + timedelta(minutes=5), confidence=75, **EARNS)  # not strictly above 75
    thin = make_signal(bar_time=T0 + timedelta(minutes=10), **{**EARNS, "evidence_n": 29})
    losing = make_signal(bar_time=T0 + timedelta(minutes=15), **{**EARNS, "evidence_mean_r": -0.05})
    late = make_signal(bar_time=T0 + timedelta(minutes=20), historical=True, **EARNS)
    assert [s.auto_executable for s in (earns, low, thin, losing, late)] == [True, False, False, False, False]

    default = body(full_client.get("/signals/"))
    assert row_ids(default) == [earns.pk]
    assert '<option value="executable" selected>Auto-executable</option>' in default
    everything = body(full_client.get("/signals/", {"show": "all"}))
    assert row_ids(everything) == [late.pk, losing.pk, thin.pk, low.pk, earns.pk]
    assert "only 29 past outcomes" in row_of(everything, thin)  # the verdict is the confidence's title


def test_a_row_shows_outcome_reward_expected_r_evidence_and_distance_from_the_price(full_client):
    from django.core.cache import cache

    from market.exchanges.types import Ticker
    from market.selectors.snapshots import cache_key

    won = make_signal(bar_time=T0, entry="100000", stop_loss="99000", take_profit_1="102000", take_profit_2="103000",
                      outcome="tp1", outcome_r=1.43, outcome_at=T0 + timedelta(hours=1), **EARNS)  # fmt: skip
    fresh = make_signal(bar_time=T0 + timedelta(minutes=5), symbol="ETH/USDT:USDT", **EARNS)
    ticker = Ticker(EXCHANGE, BTC, Decimal("101000"), None, None, None, None, None, T0)
    cache.set(cache_key("tickers", EXCHANGE), {"data": {BTC: ticker}, "updated_at": datetime.now(UTC)})

    listing = body(full_client.get("/signals/"))
    row = row_of(listing, won)
    assert '<td class="num c-rr secondary">1:2</td>' in row
    # (2,000 - 120 round trip) / (1,000 + 120): 1.68 R after fees and slippage
    assert '<td class="num c-exp secondary">+1.68 R</td>' in row
    assert '<td class="c-evidence secondary">54 % (41\u201366 %), n=62</td>' in row
    assert '<td class="num c-dist secondary">+1.00 %</td>' in row  # 101,000 is 1 % above the entry
    assert ">TP1 +1.43 R</span>" in row
    other = row_of(listing, fresh)
    assert '<td class="num c-dist secondary">\u2013</td>' in other and ">Open</span>" in other  # no ETH ticker cached


def test_the_rows_fragment_is_the_pages_results_and_refreshes_on_a_signal_push(full_client):
    signal = make_signal(bar_time=T0, direction="SHORT", **EARNS)
    listing = body(full_client.get("/signals/", {"direction": "SHORT"}))
    assert 'hx-get="/signals/rows/?direction=SHORT" hx-trigger="flaxu:signal from:document' in listing
    fragment = body(full_client.get("/signals/rows/", {"direction": "SHORT"}))
    assert fragment.lstrip().startswith('<div id="signal-results"')
    assert row_ids(fragment) == [signal.pk] and "<html" not in fragment
    assert row_ids(body(full_client.get("/signals/rows/", {"direction": "LONG"}))) == []


def test_the_prices_of_a_whole_page_are_one_cache_read_not_one_per_row(full_client, monkeypatch):
    from django.core.cache import cache

    reads = []
    real_get, real_get_many = cache.get, cache.get_many

    def counting(real):
        def read(key, *args, **kwargs):
            reads.append(str(key))
            return real(key, *args, **kwargs)

        return read

    monkeypatch.setattr(cache, "get", counting(real_get))
    monkeypatch.setattr(cache, "get_many", counting(real_get_many))
    make_signal(bar_time=T0, **EARNS)
    assert len(row_ids(body(full_client.get("/signals/")))) == 1
    one_row = len(reads)
    for i in range(1, 30):
        make_signal(bar_time=T0 + timedelta(minutes=5 * i), symbol=BTC if i % 2 else "ETH/USDT:USDT", **EARNS)
    reads.clear()
    assert len(row_ids(body(full_client.get("/signals/")))) == 30
    assert len(reads) == one_row


def test_a_signal_page_shows_its_evidence_verdict_expected_r_and_outcome(full_client):
    import json

    resolved = {"outcome": "stopped", "outcome_r": -1.12, "outcome_at": T0 + timedelta(minutes=40)}
    signal = make_signal(bar_time=T0, entry="100000", stop_loss="99000", take_profit_1="102000", take_profit_2="103000",
                         **resolved, **EARNS)  # fmt: skip
    page = body(full_client.get(f"/signals/{signal.pk}/"))
    evidence = re.search(r'<section class="card evidence" id="evidence".*?</section>', page, re.S).group(0)
    assert "(swing_ob LONG 5m)" in evidence and "in <strong>54 %</strong> of 62 past outcomes" in evidence
    assert "54 % (41\u201366 %), n=62" in evidence and "+0.18 R" in evidence
    assert "<dd>41 % \u2013 66 %</dd>" in evidence
    assert '<p id="verdict" class="callout">Auto-executable: confidence 80 is above 75' in evidence
    assert '<td class="num" id="expected-r">+1.68 R at TP1 · +2.57 R at TP2</td>' in page
    assert ">Stopped -1.12 R</span>" in page

    chart = json.loads(re.search(r'<script id="signal-data" type="application/json">(.*?)</script>', page, re.S)[1])
    # resolved at the close of the 00:35 candle: the marker sits on that candle
    assert chart["outcome_time"] == int((T0 + timedelta(minutes=35)).timestamp())
    assert (chart["outcome"], chart["outcome_label"]) == ("stopped", "Stopped -1.12R")

    thin = make_signal(bar_time=T0 + timedelta(minutes=5), **{**EARNS, "evidence_n": 0, "evidence_rate": None})
    page = body(full_client.get(f"/signals/{thin.pk}/"))
    assert "No outcomes of setups like this were known when this signal became known." in page
    assert '<p id="verdict" class="callout thin">Informational: only 0 past outcomes' in page
    chart = json.loads(re.search(r'id="signal-data" type="application/json">(.*?)<', page, re.S)[1])
    assert chart["outcome_time"] is None
