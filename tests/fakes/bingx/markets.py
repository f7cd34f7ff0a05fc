"""The contracts and spot pairs the fake lists, shaped like BingX's own listings.

Precision and limits follow BingX's USDT-M perpetual listing (``/openApi/swap/v2/quote/contracts``):
``quantityPrecision``/``pricePrecision`` are decimal places, ``tradeMinQuantity`` the smallest order
in coins, ``tradeMinUSDT`` the smallest notional.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Contract:
    symbol: str  # "BTC-USDT"
    contract_id: str
    price_precision: int
    quantity_precision: int
    trade_min_quantity: Decimal
    trade_min_usdt: Decimal
    max_leverage: int
    mark_price: Decimal  # initial mark price
    funding_rate: Decimal = Decimal("0.0001")
    open_interest: Decimal = Decimal("1000000000")

    @property
    def asset(self) -> str:
        return self.symbol.split("-")[0]

    @property
    def currency(self) -> str:
        return self.symbol.split("-")[1]

    @property
    def tick(self) -> Decimal:
        return Decimal(1).scaleb(-self.price_precision)

    @property
    def step(self) -> Decimal:
        return Decimal(1).scaleb(-self.quantity_precision)


MAKER_FEE = Decimal("0.0002")
TAKER_FEE = Decimal("0.0005")

CONTRACTS: tuple[Contract, ...] = (
    Contract(
        "BTC-USDT",
        "100",
        1,
        4,
        Decimal("0.0001"),
        Decimal("2"),
        125,
        Decimal("65000.0"),
        open_interest=Decimal("3289641547.10"),
    ),
    Contract(
        "ETH-USDT",
        "101",
        2,
        2,
        Decimal("0.01"),
        Decimal("2"),
        100,
        Decimal("3500.00"),
        open_interest=Decimal("1567891234.55"),
    ),
    Contract(
        "SOL-USDT",
        "102",
        3,
        1,
        Decimal("0.1"),
        Decimal("2"),
        75,
        Decimal("150.000"),
        open_interest=Decimal("412345678.90"),
    ),
    Contract(
        "XRP-USDT",
        "103",
        4,
        0,
        Decimal("1"),
        Decimal("2"),
        75,
        Decimal("0.6000"),
        open_interest=Decimal("201234567.00"),
    ),
    Contract(
        "BNB-USDT",
        "104",
        2,
        2,
        Decimal("0.01"),
        Decimal("2"),
        75,
        Decimal("580.00"),
        open_interest=Decimal("98765432.10"),
    ),
    Contract(
        "DOGE-USDT",
        "105",
        5,
        0,
        Decimal("1"),
        Decimal("2"),
        75,
        Decimal("0.15000"),
        open_interest=Decimal("87654321.00"),
    ),
)

# coin-margined perpetuals (ccxt's fetch_markets always asks for them, sandbox mode aside)
INVERSE_CONTRACTS: tuple[dict, ...] = (
    {
        "symbol": "BTC-USD",
        "pricePrecision": 1,
        "minTickSize": "100",
        "minTradeValue": "100",
        "minQty": "1.00000000",
        "status": 1,
        "timeOnline": 1713175200000,
    },
    {
        "symbol": "ETH-USD",
        "pricePrecision": 2,
        "minTickSize": "10",
        "minTradeValue": "10",
        "minQty": "1.00000000",
        "status": 1,
        "timeOnline": 1713175200000,
    },
)

# spot pairs (ccxt's fetch_markets always asks for them too)
SPOT_SYMBOLS: tuple[dict, ...] = (
    {
        "symbol": "BTC-USDT",
        "minQty": 0.00001,
        "maxQty": 100,
        "minNotional": 2,
        "maxNotional": 2000000,
        "status": 1,
        "tickSize": 0.01,
        "stepSize": 0.000001,
        "apiStateSell": True,
        "apiStateBuy": True,
        "timeOnline": 0,
        "offTime": 0,
        "maintainTime": 0,
    },
    {
        "symbol": "ETH-USDT",
        "minQty": 0.0001,
        "maxQty": 1000,
        "minNotional": 2,
        "maxNotional": 2000000,
        "status": 1,
        "tickSize": 0.01,
        "stepSize": 0.0001,
        "apiStateSell": True,
        "apiStateBuy": True,
        "timeOnline": 0,
        "offTime": 0,
        "maintainTime": 0,
    },
    {
        "symbol": "SOL-USDT",
        "minQty": 0.001,
        "maxQty": 100000,
        "minNotional": 2,
        "maxNotional": 2000000,
        "status": 1,
        "tickSize": 0.001,
        "stepSize": 0.001,
        "apiStateSell": True,
        "apiStateBuy": True,
        "timeOnline": 0,
        "offTime": 0,
        "maintainTime": 0,
    },
)

# wallet coins for /openApi/wallets/v1/capital/config/getall
COINS: tuple[dict, ...] = (
    {
        "coin": "USDT",
        "name": "USDT",
        "networks": (("TRC20", "1", "2", "1.5"), ("ERC20", "4", "12", "3.2"), ("BEP20", "0.8", "15", "0.3")),
    },
    {"coin": "BTC", "name": "BTC", "networks": (("BTC", "0.00004", "2", "0.00005"),)},
    {"coin": "ETH", "name": "ETH", "networks": (("ERC20", "0.0015", "12", "0.002"),)},
)
