"""Walk-forward evidence: how setups like this one did, counting only outcomes known before it.

A signal's class is (setup kind, direction, timeframe, confidence bucket); buckets are ``bucket_width``
(5) points wide, closed on the left (75-80 holds 75 <= confidence < 80, the last also holds 100). When
the class has fewer than ``min_samples`` outcomes the evidence falls back to coarser classes, in
:data:`LEVELS` order: drop the bucket, then the timeframe, then the setup kind, then the direction
(every signal). If no level has enough, the coarsest (the one with the most outcomes) is reported.

Evidence of a signal known at ``t`` counts the past outcomes with ``resolved_at < t`` (strictly: an
outcome resolved by the same candle close is not yet known when the signal is judged), so a past
signal keeps the evidence it had then, whatever happens later. Per class it gives the TP1-before-stop
rate (share of final outcomes that reached TP1) with a Wilson 95 % interval, the mean R after costs
and the sample count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

Z95 = 1.959963984540054  # two-sided 95 % normal quantile
KEYS = ("setup", "direction", "timeframe", "bucket")
LEVELS: tuple[tuple[str, ...], ...] = (KEYS, KEYS[:3], KEYS[:2], KEYS[1:2], ())
LEVEL_NAMES = ("setup, direction, timeframe and confidence", "setup, direction and timeframe",
               "setup and direction", "direction", "every signal")  # fmt: skip
EVIDENCE_COLUMNS = ["rate", "low", "high", "n", "hits", "mean_r", "label", "level"]


@dataclass(frozen=True)
class EvidenceConfig:
    """Sample floor of a class (FLAXU_EVIDENCE_MIN_SAMPLES in the project) and bucket width."""

    min_samples: int = 30
    bucket_width: float = 5.0


def wilson_interval(hits, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``hits`` successes in ``n`` trials (NaN where ``n`` is 0)."""
    hits = np.asarray(hits, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = hits / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def bucket_low(confidence, width: float = 5.0) -> np.ndarray:
    """Lower edge of each confidence's bucket (100 goes in the last bucket)."""
    c = np.asarray(confidence, dtype=np.float64)
    return np.minimum(np.floor(c / width) * width, 100.0 - width)


def class_label(setup: str, direction: str, timeframe: str, low: float, width: float, level: int) -> str:
    """The class a level pools, in words: ``fvg LONG 15m 75-80``, ``fvg LONG``, ``all signals``."""
    parts = {"setup": setup, "direction": direction, "timeframe": timeframe, "bucket": f"{low:g}-{low + width:g}"}
    words = [parts[k] for k in LEVELS[level]]
    return " ".join(words) if words else "all signals"


def walk_forward_evidence(
    history: pd.DataFrame, judged: pd.DataFrame, config: EvidenceConfig | None = None
) -> pd.DataFrame:
    """The evidence of each ``judged`` signal (same order, a fresh RangeIndex; :data:`EVIDENCE_COLUMNS`).

    ``history``: past outcomes with ``setup, direction, timeframe, confidence, resolved_at`` (NaT: not
    final, ignored), ``tp1_hit`` and ``r_after_costs``. ``judged``: ``setup, direction, timeframe,
    confidence, known_at``. Vectorised: per level, outcomes are sorted by (class, time) and each judged
    signal finds its count of earlier outcomes with one ``searchsorted``; hits and R are prefix sums.
    """
    config = config or EvidenceConfig()
    hist = history[history["resolved_at"].notna()]
    m, nh = len(judged), len(hist)
    hk = _keys(hist, config.bucket_width)
    jk = _keys(judged, config.bucket_width)
    codes, radix = _key_codes(hk, jk)
    # Time ranks among the distinct history times: a history row is earlier than a signal iff its rank
    # is below the signal's count of distinct history times strictly before known_at.
    h_time = pd.DatetimeIndex(hist["resolved_at"]).as_unit("ns").asi8
    j_time = pd.DatetimeIndex(judged["known_at"]).as_unit("ns").asi8
    times, h_rank = np.unique(h_time, return_inverse=True)
    which, j_times = pd.factorize(j_time)  # signals share their candle close times: search each once
    j_rank = np.searchsorted(times, j_times, side="left")[which]
    hits_arr = hist["tp1_hit"].to_numpy(bool).astype(np.float64)
    r_arr = hist["r_after_costs"].to_numpy(np.float64)

    chosen_n = np.zeros(m, dtype=np.int64)
    chosen_hits = np.zeros(m)
    chosen_r = np.zeros(m)
    chosen_level = np.full(m, len(LEVELS) - 1, dtype=np.int64)
    decided = np.zeros(m, dtype=bool)
    for level, keys in enumerate(LEVELS):
        cls = _class_codes(codes, radix, keys, nh + m)
        n, hits, rsum = _counts_before(cls[:nh], cls[nh:], h_rank, j_rank, len(times) + 1, hits_arr, r_arr)
        take = ~decided & ((n >= config.min_samples) | (level == len(LEVELS) - 1))
        chosen_n[take], chosen_hits[take], chosen_r[take], chosen_level[take] = n[take], hits[take], rsum[take], level
        decided |= take

    low, high = wilson_interval(chosen_hits, chosen_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(chosen_n > 0, chosen_hits / chosen_n, np.nan)
        mean_r = np.where(chosen_n > 0, chosen_r / chosen_n, np.nan)
    return pd.DataFrame(
        {"rate": rate, "low": low, "high": high, "n": chosen_n, "hits": chosen_hits.astype(np.int64),
         "mean_r": mean_r, "label": pd.Series(_labels(jk, codes, nh, chosen_level, config), dtype=str),
         "level": chosen_level},
        columns=EVIDENCE_COLUMNS,
    )  # fmt: skip


def _keys(frame: pd.DataFrame, width: float) -> dict:
    """Per class column its values' texts (``astype(str)``, NA stays NaN) as codes into a few distinct texts:
    a categorical column converts its categories, not its rows; the confidence buckets as floats."""
    keys = {}
    for k in KEYS[:3]:
        column = frame[k]
        if isinstance(column.dtype, pd.CategoricalDtype):
            texts = pd.Series(column.cat.categories).astype(str).to_numpy(object)
            codes = column.cat.codes.to_numpy(np.int64)
            keys[k] = (np.where(codes < 0, len(texts), codes), np.append(texts, np.nan))  # NA: the text after them
        else:
            codes, texts = pd.factorize(column.astype(str).to_numpy(object), use_na_sentinel=False)
            keys[k] = (codes.astype(np.int64), np.asarray(texts, dtype=object))
    keys["bucket"] = bucket_low(frame["confidence"].to_numpy(np.float64), width)
    return keys


def _key_codes(hk, jk) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Integer codes of each key column over history then judged rows, and a bound on them (the two sides'
    distinct texts numbered together, so equal texts share a code)."""
    codes, radix = {}, {}
    for k in KEYS[:3]:
        (h_codes, h_texts), (j_codes, j_texts) = hk[k], jk[k]
        joint, uniques = pd.factorize(np.concatenate([h_texts, j_texts]), use_na_sentinel=False)
        joint = joint.astype(np.int64)
        codes[k] = np.concatenate([joint[: len(h_texts)][h_codes], joint[len(h_texts) :][j_codes]])
        radix[k] = max(len(uniques), 1)
    c, uniques = pd.factorize(np.concatenate([hk["bucket"], jk["bucket"]]), use_na_sentinel=False)
    codes["bucket"], radix["bucket"] = c.astype(np.int64), max(len(uniques), 1)
    return codes, radix


def _class_codes(codes, radix, keys, size) -> np.ndarray:
    """One int64 class code per row for a level, numbered by first appearance (as factorising the key
    tuples would: the class order fixes the summation order, so the sums stay bit-for-bit the same)."""
    if not keys:
        return np.zeros(size, dtype=np.int64)
    key, bound = codes[keys[0]], radix[keys[0]]
    for k in keys[1:]:
        if bound > (2**62) // radix[k]:  # mixed radix would overflow: renumber the partial key densely
            key, uniques = pd.factorize(key)
            bound = len(uniques)
        key, bound = key * radix[k] + codes[k], bound * radix[k]
    return pd.factorize(key)[0].astype(np.int64)


def _counts_before(h_cls, j_cls, h_rank, j_rank, span, hits, r):
    """Per judged signal: count, hits and R sum of history rows in its class with an earlier time rank."""
    h_key = h_cls * span + h_rank
    order = np.argsort(h_key, kind="stable")
    sorted_key = h_key[order]
    cum_hits = np.concatenate([[0.0], np.cumsum(hits[order])])
    cum_r = np.concatenate([[0.0], np.cumsum(r[order])])
    # Signals share (class, time) keys: search each distinct key once (random-order searches cost
    # several times a factorisation) and hand the results back to the signals holding it.
    which, queries = pd.factorize(j_cls * span + j_rank)
    end = np.searchsorted(sorted_key, queries, side="left")  # strictly earlier, same class
    q_cls = queries // span
    # Classes are numbered densely, so where each one starts is a prefix sum of the class sizes.
    size = np.bincount(h_cls, minlength=int(q_cls.max(initial=-1)) + 1)
    start = np.concatenate([[0], np.cumsum(size)])[q_cls]
    return (
        (end - start).astype(np.int64)[which],
        (cum_hits[end] - cum_hits[start])[which],
        (cum_r[end] - cum_r[start])[which],
    )


def _labels(jk, codes, nh, chosen_level, config) -> np.ndarray:
    """Each judged signal's class label, formatted once per distinct (level, class) and mapped back."""
    parts = {k: codes[k][nh:] for k in KEYS[:3]}
    parts["bucket"] = pd.factorize(jk["bucket"].view(np.int64))[0].astype(np.int64)  # bits: -0.0 keeps its text
    parts["level"] = chosen_level
    radix = {k: int(v.max(initial=0)) + 1 for k, v in parts.items()}
    key = _class_codes(parts, radix, ("level", *KEYS), len(chosen_level))
    # each class's first row: class codes count up by first appearance, so no sort is needed to find them
    texts = [
        class_label(*(jk[k][1][jk[k][0][i]] for k in KEYS[:3]), jk["bucket"][i], config.bucket_width,
                    int(chosen_level[i]))
        for i in np.flatnonzero(np.diff(np.maximum.accumulate(key), prepend=-1))
    ]  # fmt: skip
    return np.array(texts, dtype=object)[key]


@dataclass(frozen=True)
class Verdict:
    """Whether a signal may be executed automatically, and why in words."""

    auto_executable: bool
    reason: str


def execution_verdict(
    *, confidence: float, threshold: float, n: int, mean_r: float | None, min_samples: int, label: str = ""
) -> Verdict:
    """Executable iff confidence > threshold and the class's out-of-sample mean R after costs is positive
    over at least ``min_samples`` outcomes."""
    like = f" ({label})" if label else ""
    if not confidence > threshold:
        return Verdict(False, f"Informational: confidence {confidence:g} is not above {threshold:g}.")
    if n < min_samples:
        return Verdict(
            False,
            f"Informational: only {n} past outcomes of setups like this{like}; "
            f"automation needs at least {min_samples}.",
        )
    if mean_r is None or not math.isfinite(mean_r) or mean_r <= 0:
        shown = "no" if mean_r is None or not math.isfinite(mean_r) else f"{mean_r:+.2f}"
        return Verdict(
            False, f"Informational: setups like this{like} averaged {shown} R after costs over {n} past outcomes."
        )
    return Verdict(
        True,
        f"Auto-executable: confidence {confidence:g} is above {threshold:g} and setups like this{like} "
        f"averaged {mean_r:+.2f} R after costs over {n} past outcomes.",
    )
