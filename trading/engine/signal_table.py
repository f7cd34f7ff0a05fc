"""The signal table (columns documented in scoring.py), built column-wise from the engine's compact arrays.

A market scan builds some 100,000 rows: every column is one numpy operation over all of them, and the
reasons tuples are packed by C-level iterators (``map``/``islice``/``filter``) rather than one Python
step per row. ``analyze_mtf`` builds its table in one go from all timeframes' arrays instead of
building and concatenating one frame per timeframe.

A scan builds some 500 of these small tables: ``pd.DataFrame(dict)`` makes one block per column and
inspects each (≈ 500 us a table), so the tables are assembled from their blocks, one 2-D block per
numpy dtype (pandas' public ``create_dataframe_from_blocks``): the same frame, already consolidated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import islice, repeat
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api.internals import create_dataframe_from_blocks

from trading.engine.config import EngineConfig
from trading.engine.costs import cost_rate, net_r
from trading.engine.scoring import DIRECTION_DTYPE, SETUP_DTYPE, RawSignals


class ContextRows(NamedTuple):
    """Higher-timeframe event rows behind candidates' context points (``analyze_mtf``): per slot a
    timeframe label and one row per candidate (-1: none). Slots run highest timeframe first, each
    timeframe's bias break before its zone."""

    labels: tuple[str, ...]
    rows: np.ndarray  # (slots, candidates) int64

    def take(self, picked: np.ndarray) -> ContextRows:
        return ContextRows(self.labels, self.rows[:, picked])

    def tuples(self) -> np.ndarray:
        """Per candidate a tuple of ``(timeframe, event row)`` pairs, the slots in order, empty ones left out."""
        filled = self.rows.T >= 0  # (candidates, slots): row-major order is candidate, then slot
        # only the pairs that exist, candidate after candidate, then cut per candidate by its count (C-level
        # iterators throughout: no bytecode per candidate; most have no higher-timeframe reason at all)
        labels = np.array(self.labels, dtype=object)[np.nonzero(filled)[1]].tolist()
        pairs = iter(zip(labels, self.rows.T[filled].tolist(), strict=True))
        counts = filled.sum(axis=1).tolist()
        return np.fromiter(map(tuple, map(islice, repeat(pairs), counts)), object, len(counts))


def reason_tuples(reasons: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``reasons[k, :counts[k]]`` as a tuple of ints per row, in an object array."""
    valid = reasons[np.arange(reasons.shape[1]) < counts[:, None]].tolist()  # row after row
    rows = iter(valid)
    # consecutive slices of ``valid``, one per row, cut and packed by C-level iterators (no bytecode per row)
    return np.fromiter(map(tuple, map(islice, repeat(rows), counts.tolist())), object, counts.size)


def _columns(sig: RawSignals, time, config: EngineConfig, reasons: np.ndarray) -> dict:
    risk = np.abs(sig.entry - sig.stop)
    cost = sig.entry * cost_rate(config.taker_fee, config.slippage_bps)
    return {
        "confirmed": sig.bar,
        "time": time,
        # the codes are the engine's own (0/1, the setup constants): no range check needed
        "direction": pd.Categorical.from_codes(
            (sig.direction < 0).astype(np.int8), dtype=DIRECTION_DTYPE, validate=False
        ),
        "setup": pd.Categorical.from_codes(sig.setup, dtype=SETUP_DTYPE, validate=False),
        "entry": sig.entry,
        "stop_loss": sig.stop,
        "take_profit_1": sig.tp1,
        "take_profit_2": sig.tp2,
        "r_tp1_net": net_r(np.abs(sig.tp1 - sig.entry), risk, cost),
        "r_tp2_net": net_r(np.abs(sig.tp2 - sig.entry), risk, cost),
        "confidence": sig.confidence,
        "executable": sig.confidence > config.min_confidence,
        "reasons": reasons,
    }


def frame_from_columns(columns: Mapping[str, np.ndarray | pd.api.extensions.ExtensionArray]) -> pd.DataFrame:
    """``pd.DataFrame(columns)`` with a RangeIndex, for 1-D columns of one length that are numpy arrays or
    extension arrays (nothing is inferred or converted): numpy columns of one dtype share one 2-D block."""
    groups: dict[np.dtype, list[int]] = {}
    blocks = []
    values = list(columns.values())
    for at, column in enumerate(values):
        if isinstance(column, np.ndarray):
            groups.setdefault(column.dtype, []).append(at)
        else:
            blocks.append((column, np.array([at], np.intp)))
    for places in groups.values():
        block = np.empty((len(places), len(values[places[0]])), values[places[0]].dtype)
        for row, at in enumerate(places):
            block[row] = values[at]
        blocks.append((block, np.array(places, np.intp)))
    rows = len(values[0]) if values else 0
    # a view of one cached Index per column list: building it costs ≈ 15 us, a view ≈ 1 us, and each table's
    # own view keeps a caller's ``df.columns.name = ...`` to that table
    return create_dataframe_from_blocks(blocks, pd.RangeIndex(rows), _column_index(tuple(columns)).view())


@lru_cache(maxsize=64)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(names))


def signals_frame(sig: RawSignals, index: pd.DatetimeIndex, config: EngineConfig) -> pd.DataFrame:
    """One series' signal table; ``reasons`` are tuples of event-table rows, ascending; with
    ``htf_reasons`` when the signals were scored with higher-timeframe context."""
    columns = _columns(sig, index.array.take(sig.bar), config, reason_tuples(sig.reasons, sig.counts))
    if sig.extra is not None:
        columns["htf_reasons"] = sig.extra.tuples()
    return frame_from_columns(columns)


def mtf_signals_frame(
    indexes: Sequence[pd.DatetimeIndex],
    raws: Sequence[RawSignals],
    labels: Sequence[str],
    durations: Mapping[str, pd.Timedelta],
    config: EngineConfig,
) -> pd.DataFrame:
    """All timeframes' signals in one table (``MultiTimeframeAnalysis.signals``): the per-timeframe tables
    concatenated (``labels`` highest timeframe first), with ``timeframe`` and ``known_at``, ordered by
    ``known_at``, then the higher timeframe first, then ``confirmed``."""
    sizes = [len(raw.bar) for raw in raws]
    codes = np.repeat(np.arange(len(labels)), sizes)
    bar = np.concatenate([raw.bar for raw in raws])
    duration = np.array([durations[tf].value for tf in labels], np.int64)[codes]
    dtype = indexes[0].dtype
    if all(ix.dtype == dtype for ix in indexes):
        # candles from one source: the open times as integers, one index built (in table order) from them
        stamps = np.concatenate([ix.asi8[raw.bar] for ix, raw in zip(indexes, raws, strict=True)])
        known = stamps * _ns_per(dtype.unit) + duration
        order = np.lexsort((bar, -duration, known))
        time = pd.DatetimeIndex(stamps[order].view(f"M8[{dtype.unit}]"), tz=dtype.tz).array
    else:
        times = (
            indexes[0].take(raws[0].bar).append([ix.take(r.bar) for ix, r in zip(indexes[1:], raws[1:], strict=True)])
        )
        known = times.as_unit("ns").asi8 + duration
        order = np.lexsort((bar, -duration, known))
        time = times.array.take(order)
    picked = RawSignals(
        *(np.concatenate([raw[f] for raw in raws])[order] for f in range(len(RawSignals._fields) - 1)), extra=None
    )
    columns = _columns(picked, time, config, reason_tuples(picked.reasons, picked.counts))
    head = {
        "timeframe": pd.Categorical.from_codes(codes[order], dtype=_labels_dtype(tuple(labels)), validate=False),
        "confirmed": columns.pop("confirmed"),
        "time": columns.pop("time"),
        "known_at": pd.DatetimeIndex(known[order].view("M8[ns]"), tz=_KNOWN_AT.tz).array,
    }
    return frame_from_columns({**head, **columns, "htf_reasons": _context_tuples(raws, sizes)[order]})


_KNOWN_AT = pd.DatetimeTZDtype("ns", "UTC")


@lru_cache(maxsize=64)
def _labels_dtype(labels: tuple[str, ...]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(labels))


@lru_cache(maxsize=8)
def _ns_per(unit: str) -> int:
    return pd.Timedelta(1, unit=unit).value


def _context_tuples(raws: Sequence[RawSignals], sizes: list[int]) -> np.ndarray:
    """``htf_reasons`` of every timeframe's signals, in one bulk pass: each lower timeframe's slots extend
    the ones of the timeframe above it, so they share one layout padded with -1."""
    widest = max((raw.extra.labels for raw in raws if raw.extra is not None), key=len, default=())
    if not all(raw.extra is not None and raw.extra.labels == widest[: len(raw.extra.labels)] for raw in raws):
        return np.concatenate(
            [
                raw.extra.tuples() if raw.extra is not None else _empty_tuples(n)
                for raw, n in zip(raws, sizes, strict=True)
            ]
        )
    rows = np.full((len(widest), sum(sizes)), -1, np.int64)
    at = 0
    for raw, n in zip(raws, sizes, strict=True):
        rows[: len(raw.extra.labels), at : at + n] = raw.extra.rows
        at += n
    return ContextRows(widest, rows).tuples()


def _empty_tuples(n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out.fill(())
    return out
