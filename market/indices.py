"""Altcoin Season Index, computed by FLAXU from its own daily candles.

Pure: a ranked coin list and daily closes in, plain data out. No Django, no I/O.

Rules:

1. **Universe.** The top ``size`` (50) coins by market capitalisation, after removing Bitcoin itself and
   every excluded coin (step 2); ranking gaps left by exclusions are filled from further down the list.
2. **Exclusions** (:func:`exclusion_reason`), checked in this order:
   * Bitcoin (``BTC``), the benchmark.
   * Stablecoins: the symbols in ``STABLECOINS`` (USD, EUR and gold-backed coins), or a name containing
     "USD" together with "stable"/"dollar", or a name starting with "USD".
   * Wrapped, staked, bridged and liquid-staking tokens: the symbols in ``WRAPPED_OR_STAKED``; a name
     matching ``NAME_PATTERNS`` ("Wrapped", "Staked", "Bridged", "Liquid Staked", "Restaked",
     "Restaking"); or a symbol made of a prefix in ``DERIVATIVE_PREFIXES`` ("st", "w", "cb", "r", "m",
     "ws", "we", "bn", "jito", "ez", "os", "s") followed by a base asset in ``BASE_ASSETS`` (so ``stETH``,
     ``WBTC``, ``cbETH``, ``rETH``, ``mSOL``, ``wstETH`` and ``JitoSOL`` go, while ``WIF``, ``STX`` and
     ``WLD`` stay, their remainders not being base assets).
3. **Returns.** For each coin and for Bitcoin, the return over the window (90 days, and 30 for the short
   index) is ``close[-1] / close[-1 - window] - 1`` from daily closes that end on the same day (the last
   closed daily candle). A coin without ``window + 1`` closes is *missing*: listed, not counted.
4. **Index** = ``round(100 * beat / counted)`` where ``beat`` counts the coins whose return is strictly
   greater than Bitcoin's. ``>= 75`` is "Altcoin season", ``<= 25`` "Bitcoin season", otherwise
   "Neutral". No index (``None``) when nothing could be counted or Bitcoin's closes are missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

BITCOIN = "BTC"
ALTCOIN_SEASON_AT = 75
BITCOIN_SEASON_AT = 25

STABLECOINS = frozenset(
    {
        "USDT", "USDC", "DAI", "BUSD", "TUSD", "USDP", "USDD", "FDUSD", "PYUSD", "USDE", "USDS", "GUSD",
        "FRAX", "LUSD", "SUSD", "USTC", "UST", "USDX", "USDB", "USD0", "USDY", "USDJ", "CUSD", "EURC",
        "EURT", "EURS", "AEUR", "XAUT", "PAXG", "RLUSD", "USD1", "BFUSD", "CRVUSD", "GHO", "DOLA", "MIM",
        "SUSDE", "SUSDS", "SDAI", "USDG", "USDF", "USYC", "BUIDL", "OUSG", "USDO", "USDA", "FXUSD",
    }
)  # fmt: skip
WRAPPED_OR_STAKED = frozenset(
    {
        "WBTC", "WETH", "WBETH", "WEETH", "EETH", "STETH", "WSTETH", "RETH", "CBETH", "CBBTC", "METH",
        "EZETH", "RSETH", "OSETH", "SWETH", "ETHX", "FRXETH", "SFRXETH", "ANKRETH", "LSETH", "BETH",
        "MSOL", "JITOSOL", "BNSOL", "JUPSOL", "BSOL", "INF", "STSOL", "SOLVBTC", "LBTC", "TBTC", "BTCB",
        "EBTC", "FBTC", "UNIBTC", "PUMPBTC", "CLBTC", "WBNB", "SLISBNB", "WAVAX", "SAVAX", "WMATIC",
        "STMATIC", "MATICX", "WTRX", "STTRX", "WHBAR", "STATOM", "STOSMO", "STTIA", "MILKTIA", "WSOL",
        "STKAAVE", "STKGHO", "RENBTC", "HBTC", "OBTC", "WTAO", "STTAO", "WFIL", "WROSE", "STS", "WS",
        "WEWETH", "BBTC", "KBTC", "XSOLVBTC", "STHYPE", "KHYPE", "WHYPE", "BFBTC", "STAVAX", "WCRO",
    }
)  # fmt: skip
BASE_ASSETS = frozenset(
    {"BTC", "ETH", "SOL", "BNB", "AVAX", "MATIC", "POL", "DOT", "ATOM", "ADA", "TRX", "NEAR", "FTM", "S",
     "TIA", "OSMO", "HBAR", "TAO", "FIL", "CRO", "HYPE", "SUI", "APT", "INJ", "SEI", "KAVA", "ROSE", "XTZ"}
)  # fmt: skip
DERIVATIVE_PREFIXES = ("jito", "ws", "we", "st", "cb", "bn", "ez", "os", "w", "r", "m", "s")
NAME_PATTERNS = re.compile(r"\b(wrapped|staked|bridged|restaked|restaking|liquid staking)\b", re.IGNORECASE)
_STABLE_NAME = re.compile(r"^usd|\busd\b.*\b(stable|dollar)|(stable|dollar).*\busd\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Coin:
    """One entry of a market-cap ranked list (CoinGecko's, or the fallback's)."""

    symbol: str
    name: str
    market_cap: float | None = None


@dataclass(frozen=True, slots=True)
class SeasonIndex:
    window_days: int
    index: int | None
    label: str | None
    beat: int
    counted: int
    bitcoin_return_pct: float | None
    returns_pct: dict[str, float] = field(default_factory=dict)  # counted coins only
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AltcoinSeason:
    universe: tuple[str, ...]
    excluded: dict[str, str]  # symbol -> reason, for the coins skipped while filling the universe
    windows: dict[int, SeasonIndex]


def exclusion_reason(symbol: str, name: str = "") -> str | None:
    """Why a coin is left out of the universe (rule 2), or None."""
    upper = symbol.upper()
    if upper == BITCOIN:
        return "benchmark"
    if upper in STABLECOINS or (name and _STABLE_NAME.search(name)):
        return "stablecoin"
    if upper in WRAPPED_OR_STAKED:
        return "wrapped or staked"
    if name and NAME_PATTERNS.search(name):
        return "wrapped or staked"
    lower = symbol.lower()
    for prefix in DERIVATIVE_PREFIXES:
        if lower.startswith(prefix) and upper[len(prefix) :] in BASE_ASSETS and upper != upper[len(prefix) :]:
            return "wrapped or staked"
    return None


def universe(coins: Iterable[Coin], size: int = 50) -> tuple[list[str], dict[str, str]]:
    """The top ``size`` symbols by market cap after exclusions, and the excluded ones with their reason.

    Coins without a market cap rank after those with one; duplicate symbols keep the larger one.
    """
    ranked = sorted(coins, key=lambda c: -(c.market_cap or 0.0))
    kept: list[str] = []
    excluded: dict[str, str] = {}
    seen: set[str] = set()
    for coin in ranked:
        if len(kept) >= size:
            break
        symbol = coin.symbol.upper()
        if symbol in seen:
            continue
        seen.add(symbol)
        reason = exclusion_reason(symbol, coin.name)
        if reason:
            excluded[symbol] = reason
        else:
            kept.append(symbol)
    return kept, excluded


def window_return(closes: Sequence[float] | np.ndarray, window: int) -> float | None:
    """``close[-1] / close[-1 - window] - 1``, or None without ``window + 1`` positive closes."""
    values = np.asarray(closes, dtype=np.float64)
    if values.ndim != 1 or len(values) < window + 1:
        return None
    start, end = values[-1 - window], values[-1]
    if not (np.isfinite(start) and np.isfinite(end)) or start <= 0:
        return None
    return float(end / start - 1.0)


def label(index: int | None) -> str | None:
    if index is None:
        return None
    if index >= ALTCOIN_SEASON_AT:
        return "Altcoin season"
    if index <= BITCOIN_SEASON_AT:
        return "Bitcoin season"
    return "Neutral"


def season_index(symbols: Sequence[str], closes: Mapping[str, Sequence[float]], window: int) -> SeasonIndex:
    """Rules 3-4 for one window over ``symbols`` (Bitcoin's closes under ``BTC``)."""
    btc = window_return(closes.get(BITCOIN, ()), window)
    returns: dict[str, float] = {}
    missing: list[str] = []
    for symbol in symbols:
        r = window_return(closes.get(symbol, ()), window)
        if r is None:
            missing.append(symbol)
        else:
            returns[symbol] = r
    if btc is None:  # no benchmark: nothing can be compared
        return SeasonIndex(window, None, None, 0, 0, None, {}, tuple(symbols))
    if not returns:
        return SeasonIndex(window, None, None, 0, 0, 100.0 * btc, {}, tuple(missing))
    beat = sum(1 for r in returns.values() if r > btc)
    index = round(100 * beat / len(returns))
    return SeasonIndex(
        window_days=window,
        index=index,
        label=label(index),
        beat=beat,
        counted=len(returns),
        bitcoin_return_pct=100.0 * btc,
        returns_pct={s: 100.0 * r for s, r in returns.items()},
        missing=tuple(missing),
    )


def altcoin_season(
    coins: Iterable[Coin],
    closes: Mapping[str, Sequence[float]],
    *,
    size: int = 50,
    windows: Sequence[int] = (90, 30),
) -> AltcoinSeason:
    """The index for each window over the top ``size`` coins (rules 1-4); ``closes`` by upper-case symbol."""
    symbols, excluded = universe(coins, size)
    upper = {k.upper(): v for k, v in closes.items()}
    return AltcoinSeason(
        universe=tuple(symbols),
        excluded=excluded,
        windows={w: season_index(symbols, upper, w) for w in windows},
    )
