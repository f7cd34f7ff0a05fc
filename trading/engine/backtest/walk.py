"""The sequential part of the backtest: walk each signal's order and position bar by bar.

Every signal is walked on its own, for one unit of size: PnL, fees and funding are linear in size, so
sizing and the one-position rule are applied afterwards over the outcomes (``runner.py``). The walk is
one numba-compiled function over float64 arrays (a plain Python function when numba is missing).

Prices are normalised to a long: a short is walked as a long on negated prices (``open' = -open``,
``high' = -low``, ``low' = -high``, levels negated), so one set of rules serves both sides.

Rules (documented for traders in ``runner.py``):
- market entry at the open of the bar after ``confirmed``, skipped if that open is already at/through
  the stop or TP1; limit entry at the signal's ``entry`` within ``limit_valid_bars`` bars (see runner);
- within one bar: an opening gap through the stop exits at the open; an opening gap through a target
  fills it at the open; then the stop (if touched) comes before any target; then TP1, then TP2;
- a stop moved to break-even after TP1 becomes active from the next bar (next minute in a 1-minute walk);
- a bar that touches the stop and a target, or TP1 and the break-even level, is walked on its 1-minute
  bars when they are given, with the same rules per minute.
"""

from __future__ import annotations

import numpy as np

try:  # numba is optional: the walk is correct without it, only slower
    from numba import njit
except ImportError:  # pragma: no cover - exercised only where numba is absent

    def njit(*_args, **_kwargs):
        return lambda function: function


# Outcome status of a signal.
FILLED = 0
NO_NEXT_BAR = 1
STOP_BEFORE_ENTRY = 2
TARGET_BEFORE_ENTRY = 3
LIMIT_EXPIRED = 4
INVALID = 5
STATUS_NAMES = {
    FILLED: "filled",
    NO_NEXT_BAR: "no bar after the signal",
    STOP_BEFORE_ENTRY: "stop passed before entry",
    TARGET_BEFORE_ENTRY: "target passed before entry",
    LIMIT_EXPIRED: "limit not filled",
    INVALID: "invalid levels",
}

# Why the (last part of the) position closed.
STOP = 1
BREAKEVEN = 2
TP1 = 3
TP2 = 4
TIMEOUT = 5
END = 6
REASON_NAMES = {0: "", STOP: "stop", BREAKEVEN: "breakeven", TP1: "tp1", TP2: "tp2", TIMEOUT: "timeout", END: "end"}

_NAN = np.nan


@njit(cache=True)
def _bar(o, h, lo, stop, tp1, tp2, has_tp2, q, f1, tp1_done, be_pending, be_level, breakeven):
    """One bar (or minute) of an open long-normalised position.

    Returns (q, stop, tp1_done, be_pending, tp1_price, exit_price, reason); NaN prices mean "no fill here".
    """
    tp1_px = _NAN
    if be_pending:
        stop = be_level
        be_pending = False
    moved = tp1_done and breakeven
    stop_reason = BREAKEVEN if moved else STOP
    if o <= stop:
        return q, stop, tp1_done, be_pending, tp1_px, o, stop_reason
    if not tp1_done and o >= tp1:
        tp1_px = o
        tp1_done = True
        q -= f1
        if q <= 1e-12:
            return 0.0, stop, tp1_done, be_pending, tp1_px, o, TP1
        be_pending = breakeven
    if tp1_done and has_tp2 and o >= tp2:  # TP1 filled at this open or on an earlier bar
        return q, stop, tp1_done, be_pending, tp1_px, o, TP2
    if lo <= stop:
        return q, stop, tp1_done, be_pending, tp1_px, stop, stop_reason
    if not tp1_done and h >= tp1:
        tp1_px = tp1
        tp1_done = True
        q -= f1
        if q <= 1e-12:
            return 0.0, stop, tp1_done, be_pending, tp1_px, tp1, TP1
        be_pending = breakeven
    if tp1_done and has_tp2 and h >= tp2:
        return q, stop, tp1_done, be_pending, tp1_px, tp2, TP2
    return q, stop, tp1_done, be_pending, tp1_px, _NAN, 0


@njit(cache=True)
def _fill(price_n, sd, reason, slippage):
    """Raw fill price of an exit at a long-normalised price: stops are market orders, targets limits."""
    market = reason in (STOP, BREAKEVEN)
    return price_n * sd * ((1.0 - sd * slippage) if market else 1.0)


@njit(cache=True)
def walk(
    o, h, lo, c, funding_rate, mo, mh, ml, mstart, mend,
    start, side, entry, stop, tp1, tp2, is_limit, limit_bars, max_hold, tp1_fraction, breakeven, slippage,
):  # fmt: skip
    """Walk every signal; see the module docstring. All prices float64, bars int64, side +1/-1.

    Returns per signal: status, entry_bar, entry_price (fill, incl. slippage), tp1_bar, tp1_minute,
    tp1_price, tp1_fraction (executed, 0 if TP1 not reached), exit_bar, exit_minute, exit_price (last
    part, incl. slippage), reason, funding per unit of size (+ received, - paid).
    """
    n = o.shape[0]
    m = start.shape[0]
    status = np.full(m, INVALID, np.int64)
    entry_bar = np.full(m, -1, np.int64)
    entry_px = np.full(m, _NAN)
    tp1_bar = np.full(m, -1, np.int64)
    tp1_min = np.full(m, -1, np.int64)
    tp1_px = np.full(m, _NAN)
    tp1_frac = np.zeros(m)
    exit_bar = np.full(m, -1, np.int64)
    exit_min = np.full(m, -1, np.int64)
    exit_px = np.full(m, _NAN)
    reason = np.zeros(m, np.int64)
    funding = np.zeros(m)
    has_minutes = mo.shape[0] > 0

    for k in range(m):
        if start[k] < 0:
            continue  # invalid levels, flagged by the caller
        b = start[k]
        if b >= n:
            status[k] = NO_NEXT_BAR
            continue
        sd = side[k]
        s_n = stop[k] * sd
        t1_n = tp1[k] * sd
        has_t2 = not np.isnan(tp2[k])
        t2_n = tp2[k] * sd if has_t2 else _NAN
        f1 = tp1_fraction if has_t2 else 1.0

        # --- entry -------------------------------------------------------------------------------
        first = -1  # first bar evaluated in full
        e_bar = -1
        pe_n = _NAN
        start_state_q = 1.0
        start_state_tp1 = False
        start_state_be = False
        start_state_stop = s_n
        if is_limit:
            e_n = entry[k] * sd
            last = min(b + limit_bars, n)
            st = LIMIT_EXPIRED
            for i in range(b, last):
                op = o[i] * sd
                hi = h[i] if sd > 0 else -lo[i]
                lw = lo[i] if sd > 0 else -h[i]
                if op <= s_n:
                    st = STOP_BEFORE_ENTRY
                    break
                if op >= t1_n and op > e_n:
                    st = TARGET_BEFORE_ENTRY
                    break
                if lw <= e_n:
                    e_bar = i
                    pe_n = min(op, e_n)
                    st = FILLED
                    break
                if hi >= t1_n:
                    st = TARGET_BEFORE_ENTRY
                    break
            status[k] = st
            if st != FILLED:
                continue
            entry_bar[k] = e_bar
            entry_px[k] = pe_n * sd
            # The fill bar: only the stop can follow the fill (reaching it continues the same path);
            # targets count from the next bar, or from the next minute when 1-minute bars are given.
            lw = lo[e_bar] if sd > 0 else -h[e_bar]
            if has_minutes and mend[e_bar] > mstart[e_bar]:
                q = 1.0
                tp1_done = False
                be_pending = False
                s_cur = s_n
                filled = False
                done = False
                for j in range(mstart[e_bar], mend[e_bar]):
                    mop = mo[j] * sd
                    mhi = mh[j] if sd > 0 else -ml[j]
                    mlw = ml[j] if sd > 0 else -mh[j]
                    if not filled:
                        if mlw <= e_n:
                            filled = True
                            if mlw <= s_cur:
                                exit_bar[k] = e_bar
                                exit_min[k] = j
                                exit_px[k] = s_cur * sd * (1.0 - sd * slippage)
                                reason[k] = STOP
                                done = True
                                break
                        continue
                    q, s_cur, tp1_done, be_pending, p1, px, r = _bar(
                        mop, mhi, mlw, s_cur, t1_n, t2_n, has_t2, q, f1, tp1_done, be_pending, pe_n, breakeven
                    )
                    if not np.isnan(p1):
                        tp1_bar[k] = e_bar
                        tp1_min[k] = j
                        tp1_px[k] = p1 * sd
                        tp1_frac[k] = f1
                    if r != 0:
                        exit_bar[k] = e_bar
                        exit_min[k] = j
                        exit_px[k] = _fill(px, sd, r, slippage)
                        reason[k] = r
                        done = True
                        break
                if done:
                    continue
                # Carry the state of the walked minutes into the bar loop below.
                first = e_bar + 1
                start_state_q = q
                start_state_tp1 = tp1_done
                start_state_be = be_pending
                start_state_stop = s_cur
            else:
                if lw <= s_n:
                    exit_bar[k] = e_bar
                    exit_px[k] = s_n * sd * (1.0 - sd * slippage)
                    reason[k] = STOP
                    continue
                first = e_bar + 1
        else:
            op = o[b] * sd
            if op <= s_n:
                status[k] = STOP_BEFORE_ENTRY
                continue
            if op >= t1_n:
                status[k] = TARGET_BEFORE_ENTRY
                continue
            status[k] = FILLED
            e_bar = b
            pe_n = sd * o[b] * (1.0 + sd * slippage)  # slippage: a long buys higher, a short sells lower
            entry_bar[k] = e_bar
            entry_px[k] = pe_n * sd
            first = b

        # --- position ----------------------------------------------------------------------------
        q = start_state_q
        tp1_done = start_state_tp1
        be_pending = start_state_be
        s_cur = start_state_stop
        fund = 0.0
        closed = False
        if max_hold > 0 and first - e_bar >= max_hold:  # a limit fill bar already used the whole allowance
            exit_bar[k] = e_bar
            exit_px[k] = c[e_bar] * (1.0 - sd * slippage)
            reason[k] = TIMEOUT
            continue
        for i in range(first, n):
            if i > e_bar and funding_rate[i] != 0.0:
                fund -= sd * o[i] * funding_rate[i] * q  # longs pay a positive rate, shorts receive it
            op = o[i] * sd
            hi = h[i] if sd > 0 else -lo[i]
            lw = lo[i] if sd > 0 else -h[i]
            s_eff = pe_n if be_pending else s_cur
            t1_touch = (not tp1_done) and hi >= t1_n
            t2_touch = has_t2 and hi >= t2_n
            ambiguous = (lw <= s_eff and (t1_touch or t2_touch)) or (t1_touch and breakeven and f1 < 1.0 and lw <= pe_n)
            if ambiguous and has_minutes and mend[i] > mstart[i] and op > s_eff:
                for j in range(mstart[i], mend[i]):
                    mop = mo[j] * sd
                    mhi = mh[j] if sd > 0 else -ml[j]
                    mlw = ml[j] if sd > 0 else -mh[j]
                    q, s_cur, tp1_done, be_pending, p1, px, r = _bar(
                        mop, mhi, mlw, s_cur, t1_n, t2_n, has_t2, q, f1, tp1_done, be_pending, pe_n, breakeven
                    )
                    if not np.isnan(p1):
                        tp1_bar[k] = i
                        tp1_min[k] = j
                        tp1_px[k] = p1 * sd
                        tp1_frac[k] = f1
                    if r != 0:
                        exit_bar[k] = i
                        exit_min[k] = j
                        exit_px[k] = _fill(px, sd, r, slippage)
                        reason[k] = r
                        closed = True
                        break
            else:
                q, s_cur, tp1_done, be_pending, p1, px, r = _bar(
                    op, hi, lw, s_cur, t1_n, t2_n, has_t2, q, f1, tp1_done, be_pending, pe_n, breakeven
                )
                if not np.isnan(p1):
                    tp1_bar[k] = i
                    tp1_px[k] = p1 * sd
                    tp1_frac[k] = f1
                if r != 0:
                    exit_bar[k] = i
                    exit_px[k] = _fill(px, sd, r, slippage)
                    reason[k] = r
                    closed = True
            if closed:
                break
            if max_hold > 0 and i - e_bar + 1 >= max_hold:
                exit_bar[k] = i
                exit_px[k] = c[i] * (1.0 - sd * slippage)
                reason[k] = TIMEOUT
                closed = True
                break
        if not closed:
            exit_bar[k] = n - 1
            exit_px[k] = c[n - 1] * (1.0 - sd * slippage)
            reason[k] = END
        funding[k] = fund

    return (
        status, entry_bar, entry_px, tp1_bar, tp1_min, tp1_px, tp1_frac,
        exit_bar, exit_min, exit_px, reason, funding,
    )  # fmt: skip
