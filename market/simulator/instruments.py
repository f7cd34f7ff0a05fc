"""The simulated instruments: ~30 USDT perpetuals with a reference price, volatility, beta and a liquidity tier."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    spread_bps: float  # quoted spread
    level_gap_bps: float  # mean distance between book levels
    level_usd: float  # mean notional per book level
    day_volume_usd: float  # 24h volume, all exchanges together
    open_interest_usd: float  # open interest, all exchanges together
    max_leverage: int


TIERS = {
    1: Tier(0.1, 0.05, 150_000, 20e9, 30e9, 125),
    2: Tier(0.2, 0.1, 80_000, 10e9, 15e9, 100),
    3: Tier(1.0, 0.5, 25_000, 1.5e9, 2e9, 75),
    4: Tier(2.0, 1.0, 10_000, 4e8, 5e8, 50),
    5: Tier(3.0, 1.5, 5_000, 2e8, 2e8, 50),
}


@dataclass(frozen=True)
class Instrument:
    base: str
    price: float  # reference level the price mean-reverts to
    daily_vol: float  # typical daily volatility (log returns)
    beta: float  # exposure to the common market factor
    tier: int

    @property
    def symbol(self) -> str:
        return f"{self.base}/USDT:USDT"

    @property
    def params(self) -> Tier:
        return TIERS[self.tier]

    @property
    def price_step(self) -> float:
        return 10.0 ** (math.floor(math.log10(self.price)) - 5)

    @property
    def amount_step(self) -> float:
        return 10.0 ** min(math.floor(math.log10(10.0 / self.price)), 2)


UNIVERSE: tuple[Instrument, ...] = (
    Instrument("BTC", 97000, 0.025, 1.0, 1),
    Instrument("ETH", 3400, 0.036, 1.1, 2),
    Instrument("SOL", 190, 0.048, 1.25, 3),
    Instrument("XRP", 2.3, 0.045, 1.0, 3),
    Instrument("BNB", 650, 0.030, 0.8, 3),
    Instrument("DOGE", 0.32, 0.055, 1.3, 3),
    Instrument("ADA", 0.9, 0.050, 1.15, 4),
    Instrument("AVAX", 35, 0.055, 1.25, 4),
    Instrument("LINK", 20, 0.052, 1.2, 4),
    Instrument("DOT", 6.5, 0.050, 1.1, 4),
    Instrument("TRX", 0.25, 0.030, 0.6, 4),
    Instrument("TON", 5.5, 0.045, 0.8, 4),
    Instrument("1000SHIB", 0.022, 0.055, 1.2, 4),
    Instrument("LTC", 100, 0.042, 1.0, 4),
    Instrument("BCH", 450, 0.045, 1.0, 4),
    Instrument("NEAR", 5.0, 0.060, 1.3, 4),
    Instrument("APT", 9.0, 0.060, 1.3, 5),
    Instrument("ARB", 0.75, 0.065, 1.3, 5),
    Instrument("OP", 1.9, 0.065, 1.35, 5),
    Instrument("SUI", 4.0, 0.070, 1.4, 5),
    Instrument("1000PEPE", 0.018, 0.080, 1.5, 5),
    Instrument("ATOM", 7.0, 0.055, 1.1, 5),
    Instrument("FIL", 5.0, 0.060, 1.2, 5),
    Instrument("INJ", 25, 0.070, 1.4, 5),
    Instrument("UNI", 13, 0.060, 1.2, 5),
    Instrument("AAVE", 300, 0.060, 1.2, 5),
    Instrument("ETC", 27, 0.050, 1.1, 5),
    Instrument("TIA", 5.0, 0.080, 1.4, 5),
    Instrument("SEI", 0.45, 0.080, 1.4, 5),
    Instrument("WIF", 2.0, 0.090, 1.6, 5),
)
