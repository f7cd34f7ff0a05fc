"""Journeys of a FULL user: the live signal list gets a new signal pushed, a signal's page draws its chart
with zones, levels and reasons; a backtest started from the form runs in the Celery worker, its progress
reaches 100 % and the results (statistics, equity curve, trades, CSV) appear."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from market.models import Candle
from tests.e2e.helpers import off_this_thread
from tests.e2e.session import sign_in
from tests.trading.factories import BTC, EXCHANGE, make_signal, store_candles, synthetic
from trading import conf
from trading.engine import analyze
from trading.models import Signal, SniperAlert
from trading.services.signals import signals_run

pytestmark = pytest.mark.e2e
# Evidence that makes a confidence-80 signal auto-executable (the list shows those by default).
EARNS = {"evidence_rate": 0.54, "evidence_low": 0.41, "evidence_high": 0.66, "evidence_n": 62, "evidence_mean_r": 0.18,
         "evidence_class": "swing_ob LONG 5m", "evidence_level": 0}  # fmt: skip


def run_signals(frame, k):
    """The live run when candle ``k`` has just closed."""
    return signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", now=frame.index[k] + timedelta(minutes=5))


def next_signal_bar(frame, after: int) -> int:
    """The first candle after ``after`` whose close confirms a signal (the engine on the live window)."""
    for k in range(after + 1, len(frame)):
        found = analyze(frame.iloc[k - 1499 : k + 1], conf.engine_config()).signals
        if (found["confirmed"] == 1499).any():
            return k
    raise AssertionError("no signal in the series")


def test_new_signals_arrive_live_and_a_signal_page_draws_its_chart(page, live_asgi_server, full_user):
    frame = synthetic(1700, seed=3)
    store_candles(frame.iloc[:1500])
    assert off_this_thread(run_signals, frame, 1499)  # the first run's backfill: historical, not pushed
    sign_in(page, live_asgi_server, full_user)

    page.goto("/signals/?show=all")  # the backfill is historical: only "all" shows it
    table = page.locator("#signal-table")
    expect(page.locator("#signal-list")).to_have_attribute("data-live", "true")  # subscribed to signals.all
    before = table.locator("tbody tr").count()
    assert before == min(Signal.objects.count(), 50)
    for header in ("R:R", "Exp. R", "Evidence", "From entry", "Outcome"):
        expect(table.locator("thead")).to_contain_text(header)

    k = next_signal_bar(frame, 1520)
    store_candles(frame.iloc[: k + 1])  # caught up to a candle whose close confirms a signal: that one is pushed
    new = [s for s in off_this_thread(run_signals, frame, k) if not s.historical]
    assert new and all(s.bar_time == frame.index[k] for s in new)
    newest = max(new, key=lambda s: (s.bar_time, s.pk))
    row = table.locator(f'tbody tr[data-signal-id="{newest.pk}"]')
    expect(row).to_be_visible()  # the results fragment, refreshed by htmx on the push
    expect(row).to_contain_text(newest.direction)
    expect(row.locator("td.c-outcome")).to_have_text("Open")
    expect(row.locator("td.c-evidence")).to_have_text("no past outcomes")  # none resolved before it
    expect(page.locator("#new-count")).to_contain_text(f"{len(new)} new")

    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/signals/{newest.pk}/$"))
    chart = page.locator("#signal-chart")
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart.locator("canvas").first).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    expect(page.locator("#reasons li").first).to_be_visible()
    expect(page.locator("#calibration")).to_contain_text("backtested cases")
    expect(page.get_by_role("heading", name=re.compile(newest.direction))).to_be_visible()
    expect(page.locator("#verdict")).to_contain_text("Informational")  # too few past outcomes yet
    assert_chart_frames_the_setup(page, newest)
    assert page.errors == []


def assert_chart_frames_the_setup(page, signal):
    """The price scale shows entry, stop and TP1 (the setup, not an old spike), and no two level labels are
    closer than the chart's label gap (arrow functions: the CSP forbids evaluating strings in the page)."""
    shown = page.evaluate("() => window.flaxuSignalChart.series.priceScale().getVisibleRange()")
    levels = [float(signal.entry), float(signal.stop_loss), float(signal.take_profit_1)]
    assert all(shown["from"] <= level <= shown["to"] for level in levels), (shown, levels)
    labels = page.evaluate(
        """() => window.flaxuSignalChart.lines
            .map((line) => line.options())
            .filter((o) => o.title)
            .map((o) => ({ title: o.title, y: window.flaxuSignalChart.series.priceToCoordinate(o.price) }))"""
    )
    ys = sorted(label["y"] for label in labels)
    assert all(b - a >= 18 for a, b in itertools.pairwise(ys)), labels
    return shown


def test_a_backtest_runs_to_100_percent_and_shows_its_results(page, live_asgi_server, celery_worker_process, full_user):
    store_candles(synthetic(3000, seed=12))
    assert Candle.objects.count() == 3000
    sign_in(page, live_asgi_server, full_user)

    page.goto("/backtests/")
    form = page.locator("#backtest-form")
    form.locator("[name=symbol]").select_option(BTC)
    form.locator("[name=timeframe]").select_option("5m")
    form.locator("[name=start]").fill("2024-01-10T00:00")
    form.locator("[name=end]").fill("2024-01-03T00:00")  # reversed: refused with a field error
    form.get_by_role("button", name="Run backtest").click()
    expect(page.locator("#end-errors")).to_contain_text("The period is reversed")

    form.locator("[name=start]").fill("2024-01-03T00:00")
    form.locator("[name=end]").fill("2024-01-10T00:00")
    form.locator("[name=min_confidence]").fill("55")
    form.get_by_role("button", name="Run backtest").click()
    page.wait_for_url(re.compile(r"/backtests/\d+/$"))

    expect(page.locator("#progress-value")).to_have_text("100 %", timeout=90_000)
    expect(page.locator("#backtest-stats")).to_be_visible(timeout=30_000)
    expect(page.locator("#backtest-status .status")).to_have_text("Done")
    expect(page.locator("#equity-chart")).to_have_attribute("data-ready", "true")
    expect(page.locator("#backtest-trades tbody tr").first).to_be_visible()

    with page.expect_download() as download_info:
        page.locator("#download-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-btc-5m-trades.csv")
    lines = open(download.path(), encoding="utf-8").read().strip().splitlines()  # noqa: SIM115
    assert lines[0].startswith("number,setup,confidence,side,entry_time")
    assert len(lines) - 1 == page.locator("#backtest-trades tbody tr").count()
    assert page.errors == []


PHONE = {"width": 390, "height": 844}


def test_on_a_390px_phone_the_signal_and_sniper_columns_a_trader_acts_on_are_on_screen(
    page, live_asgi_server, full_user
):
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for i in range(3):
        make_signal(
            bar_time=start + timedelta(minutes=5 * i),
            entry="101303.1",
            stop_loss="100950.7",
            take_profit_1="102008.35",
            symbol="1000PEPE/USDT:USDT" if i else BTC,
            **EARNS,
        )
    sign_in(page, live_asgi_server, full_user)
    page.set_viewport_size(PHONE)
    page.goto("/signals/")

    row = page.locator("#signal-table tbody tr").first
    expect(row).to_be_visible()
    for column in ("c-symbol", "c-side", "c-entry", "c-stop", "c-tp1", "c-conf", "c-known"):
        box = row.locator(f"td.{column}").bounding_box()
        assert box and box["width"] > 0, column
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (column, box)
    entry = row.locator("td.c-entry")
    expect(entry).to_have_text("101,303.10")
    assert entry.evaluate("td => getComputedStyle(td, '::before').content") == '"Entry"'  # labelled, no header
    expect(row.locator("td.c-tp2")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    SniperAlert.objects.create(
        exchange=EXCHANGE,
        symbol=BTC,
        time=start,
        move="DUMP",
        change_pct=Decimal("-12.5874"),
        cleared_pct=Decimal("89.6"),
        direction="SHORT",
        entry=Decimal("101303.1"),
        stop_loss=Decimal("104950.7"),
        take_profit=Decimal("95008.35"),
        origin_price=Decimal("115000"),
    )
    page.goto("/signals/sniper/")
    alert = page.locator("#sniper-table tbody tr").first
    for column in ("c-symbol", "c-move", "c-side", "c-entry", "c-stop", "c-target", "c-known", "c-change"):
        box = alert.locator(f"td.{column}").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (column, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == []


def test_a_new_auto_executable_signal_is_announced_and_its_chart_frames_the_setup_not_an_old_spike(
    page, live_asgi_server, full_user
):
    from tests.e2e.test_markets_browser import violations, watch_policy
    from trading.services.signals import signals_push

    frame = synthetic(400, seed=5)
    spike = frame.index[260]  # 40 bars before the signal, on screen, far above the setup
    frame.loc[spike, "high"] = frame["high"].max() * 1.6
    store_candles(frame)
    bar = frame.index[300].to_pydatetime()
    entry = float(frame["close"].iloc[300])
    levels = {"entry": f"{entry:.2f}", "stop_loss": f"{entry * 0.996:.2f}", "take_profit_1": f"{entry * 1.008:.2f}",
              "take_profit_2": f"{entry * 1.012:.2f}"}  # fmt: skip
    informational = make_signal(bar_time=frame.index[290].to_pydatetime(), confidence=70, **levels)
    console = watch_policy(page)
    sign_in(page, live_asgi_server, full_user)
    page.goto("/signals/")  # auto-executable signals only, by default
    expect(page.locator("#signal-list")).to_have_attribute("data-live", "true")
    expect(page.locator("#no-signals")).to_be_visible()
    assert page.locator(f'tr[data-signal-id="{informational.pk}"]').count() == 0

    resolved = {"outcome": "tp1", "outcome_r": 1.43, "outcome_at": frame.index[310].to_pydatetime()}
    signal = off_this_thread(lambda: make_signal(bar_time=bar, **levels, **resolved, **EARNS))
    off_this_thread(signals_push, signal)
    row = page.locator(f'#signal-table tbody tr[data-signal-id="{signal.pk}"]')
    expect(row).to_be_visible()  # htmx fetched the fragment on the push
    expect(row.locator("td.c-evidence")).to_have_text("54 % (41\u201366 %), n=62")
    toast = page.locator("#live-toast")
    announced = r"New auto-executable signal: LONG BTC/USDT perp 5m at [\d,.]+ \(confidence 80\)"
    expect(toast).to_have_text(re.compile(announced))
    assert toast.get_attribute("aria-live") == "polite"

    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/signals/{signal.pk}/$"))
    expect(page.locator("#signal-chart")).to_have_attribute("data-ready", "true")
    expect(page.locator("#verdict")).to_contain_text("Auto-executable")
    expect(page.locator("#evidence")).to_contain_text("n=62")
    shown = assert_chart_frames_the_setup(page, signal)
    assert shown["to"] < float(frame.loc[spike, "high"])  # the spike does not set the scale
    markers = page.evaluate("() => window.flaxuSignalChart.markers.markers().map((m) => [m.time, m.text])")
    assert [int(frame.index[310].timestamp()) - 300, "TP1 +1.43R"] in markers  # the candle that resolved it
    axis = page.evaluate("(x) => window.flaxuSignalChart.series.priceFormatter().format(x)", float(signal.entry))
    assert axis == page.locator("table.levels td").first.inner_text()  # rounded as in the levels table

    # Targets a few pixels apart share one label instead of drawing one over the other.
    close = {**levels, "take_profit_2": f"{entry * 1.0081:.2f}"}
    crowded = off_this_thread(lambda: make_signal(bar_time=frame.index[299].to_pydatetime(), **close, **EARNS))
    page.goto(f"/signals/{crowded.pk}/")
    expect(page.locator("#signal-chart")).to_have_attribute("data-ready", "true")
    assert_chart_frames_the_setup(page, crowded)
    titles = page.evaluate("() => window.flaxuSignalChart.lines.map((line) => line.options().title)")
    assert sorted(titles) == ["", "Entry", "SL", "TP1 \u00b7 TP2"]
    assert violations(page, console) == []
    assert page.errors == []
