"""A seeded market simulator for the replay source: ~30 USDT perpetuals on several exchanges.

Pure numpy and pandas (no Django, no settings): ``market.sources.replay`` wraps it in the ``MarketSource``
interface. One module per concern: ``instruments`` (the universe), ``base`` (constants, seeded RNG, day
bars), ``paths`` (the generated fair path), ``csv_paths`` (a user's CSV instead), ``venues`` (each
exchange's bars over the fair path), ``market`` (what the source serves), ``clock`` (replay time).

The market is a deterministic function of (seed, symbol, time): every UTC day of every symbol is generated
on its own from a seed derived from (seed, symbol, day), so weeks of history cost only the days asked for
and two processes with the same seed see the same prices. The clock (``ReplayClock``) only decides how
much of that fixed path is visible: replay time = anchor + (wall - start) x speed.

How a day is made
- Daily levels: log price = log(reference price) + β·market + idiosyncratic, both mean-reverting
  (Ornstein-Uhlenbeck, half-life ~35 days) with Student-t shocks and clustered daily volatility, so
  prices stay near realistic levels forever and the day's close is known without generating the days
  before it.
- Minutes: GARCH(1,1) with Student-t(5) innovations (volatility clustering, fat tails) times an intraday
  seasonality (Asian open, London, the US open), bridged so the minutes add up to the day's return.
- Events: occasional 5-minute pumps (+5-12 %) and dumps (-10-15 %), a louder hour after them, retraced
  over the following hours.
- Sub-minute path: 20 points per minute (3 s apart) bridging each minute's open to its close; high and
  low are its extremes, and tickers/forming candles read it, so a forming candle converges to the
  closed one exactly.
- Exchanges: each exchange's price is the fair price times exp(basis): a small static offset plus
  smoothed noise of a few basis points, and now and then (about one symbol-day in three) a real gap of
  0.8-2 % on one exchange for 4-20 minutes (wider than two taker fees plus 0.5 %).
- Order books (depth up to 50), funding rates, open interest, long/short ratios and liquidation events
  are derived from the path (funding follows the 8-hour premium, open interest the trend and the
  liquidations, liquidations the size of the moves).

A user-supplied OHLCV CSV (``CsvPaths``) can replace the generated fair path; everything else is derived
from it the same way.
"""

from market.simulator.base import BOOK_LEVELS, DAY_SECONDS, MINUTES_PER_DAY, ORIGIN_DAY, SUBSTEPS, Bars, DayBars
from market.simulator.clock import ReplayClock
from market.simulator.csv_paths import CsvPaths, ReplayDataError
from market.simulator.instruments import UNIVERSE, Instrument
from market.simulator.market import MarketSimulator, SimBook, SimFunding, SimLiquidations, SimTicker, aggregate
from market.simulator.paths import SyntheticPaths
from market.simulator.venues import VENUES, Venue, venue

__all__ = [
    "BOOK_LEVELS",
    "DAY_SECONDS",
    "MINUTES_PER_DAY",
    "ORIGIN_DAY",
    "SUBSTEPS",
    "UNIVERSE",
    "VENUES",
    "Bars",
    "CsvPaths",
    "DayBars",
    "Instrument",
    "MarketSimulator",
    "ReplayClock",
    "ReplayDataError",
    "SimBook",
    "SimFunding",
    "SimLiquidations",
    "SimTicker",
    "SyntheticPaths",
    "Venue",
    "aggregate",
    "venue",
]
