"""Calibration: TP1 hit rate per setup and confidence bucket, and the sentence live signals show."""

import math

import numpy as np
import pandas as pd
import pytest

from trading.engine.backtest import BacktestConfig, calibration_lookup, calibration_table, run_backtest


def outcomes(rows):
    return pd.DataFrame(rows, columns=["setup", "confidence", "resolved", "tp1_hit"])


def test_cases_are_grouped_in_5_point_buckets_per_setup():
    table = calibration_table(
        outcomes(
            [
                ("ob", 75.0, True, True),
                ("ob", 77.5, True, True),
                ("ob", 79.99, True, False),
                ("ob", 79.0, True, True),
                ("ob", 80.0, True, False),  # the next bucket: 80-85
                ("ob", 100.0, True, True),  # the last bucket holds 100
                ("fvg", 76.0, True, False),
                ("ob", 76.0, False, False),  # outcome unknown: not a case
            ]
        )
    )
    rows = {(r.setup, r.bucket): (r.cases, r.tp1_hits, r.hit_rate) for r in table.itertuples()}
    assert rows == {
        ("fvg", "75-80"): (1, 0, 0.0),
        ("ob", "75-80"): (4, 3, 0.75),
        ("ob", "80-85"): (1, 0, 0.0),
        ("ob", "95-100"): (1, 1, 1.0),
    }


def big_table(cases: int, hits: int, setup: str = "ob_sweep", low: float = 80.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "setup": [setup],
            "bucket": [f"{low:.0f}-{low + 5:.0f}"],
            "low": [low],
            "high": [low + 5.0],
            "cases": [cases],
            "tp1_hits": [hits],
            "hit_rate": [hits / cases],
        }
    )


def test_the_sentence_quotes_the_rate_and_the_number_of_cases():
    found = calibration_lookup(big_table(412, 239), "ob_sweep", 83.0)
    assert found.sentence == "setups like this reached TP1 in 58 % of 412 backtested cases"
    assert (found.cases, found.tp1_hits, found.reliable, found.bucket) == (412, 239, True, "80-85")
    assert calibration_lookup(big_table(1204, 602), "ob_sweep", 80.0).sentence == (
        "setups like this reached TP1 in 50 % of 1,204 backtested cases"
    )


def test_a_small_sample_is_called_small_instead_of_quoting_a_rate():
    found = calibration_lookup(big_table(12, 7), "ob_sweep", 84.9)
    assert not found.reliable
    assert found.sentence == (
        "setups like this reached TP1 in 7 of only 12 backtested cases, too few for a reliable rate (fewer than 30)"
    )
    assert "%" not in found.sentence


def test_no_cases_says_so():
    found = calibration_lookup(big_table(412, 239), "ob_sweep", 76.0)  # another bucket
    assert found.cases == 0 and math.isnan(found.hit_rate)
    assert found.sentence == "no backtested cases of setups like this yet"
    assert calibration_lookup(big_table(412, 239), "fvg", 83.0).cases == 0  # another setup


def test_setup_none_pools_every_setup_in_the_bucket():
    table = pd.concat([big_table(20, 10, "a"), big_table(20, 14, "b")], ignore_index=True)
    found = calibration_lookup(table, None, 81.0)
    assert (found.cases, found.tp1_hits) == (40, 24)
    assert found.sentence == "setups like this reached TP1 in 60 % of 40 backtested cases"


def test_a_backtest_counts_every_filled_signal_and_leaves_out_unknown_endings():
    flat = (100.0, 100.5, 99.5, 100.0)
    rows = [flat, flat, (100.0, 104.5, 100.0, 104.0), flat, (100.0, 100.5, 97.0, 97.5), flat, flat]
    base = {
        "direction": "LONG",
        "entry": 100.0,
        "stop_loss": 98.0,
        "take_profit_1": 104.0,
        "take_profit_2": np.nan,
        "setup": "ob",
    }
    signals = pd.DataFrame(
        [
            {**base, "confirmed": 0, "confidence": 81.0},  # TP1 at bar 2
            {**base, "confirmed": 1, "confidence": 82.0},  # skipped by the portfolio (position open), TP1 too
            {**base, "confirmed": 3, "confidence": 83.0},  # stopped at bar 4
            {**base, "confirmed": 5, "confidence": 84.0},  # still open when the data ends: unknown
        ]
    )
    index = pd.date_range("2024-03-01", periods=len(rows), freq="5min", tz="UTC")
    result = run_backtest(
        pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index), signals, BacktestConfig()
    )
    assert result.outcomes["taken"].tolist() == [True, False, True, True]
    assert result.outcomes["resolved"].tolist() == [True, True, True, False]
    row = result.calibration.iloc[0]
    assert (row["setup"], row["bucket"], row["cases"], row["tp1_hits"]) == ("ob", "80-85", 3, 2)
    assert calibration_lookup(result.calibration, "ob", 82.0, min_cases=3).sentence == (
        "setups like this reached TP1 in 67 % of 3 backtested cases"
    )
    assert result.stats.signals_skipped == 1


@pytest.mark.parametrize("confidence", [75.0, 79.999])
def test_bucket_edges_are_closed_on_the_left(confidence):
    assert calibration_lookup(big_table(40, 20, low=75.0), "ob_sweep", confidence).cases == 40
