"""Trading models: live signals and their scan cursors, sniper alerts, calibration snapshots, backtests,
and execution (settings, paper wallet, trades and their orders, the global pause)."""

from trading.models.backtests import Backtest, BacktestTrade
from trading.models.execution import (
    DailyEquity,
    Mode,
    PaperWallet,
    RewardTarget,
    SignalType,
    Trade,
    TradeOrder,
    TradingControl,
    TradingProfile,
)
from trading.models.signals import Calibration, Direction, Signal, SignalScan, SniperAlert

__all__ = [
    "Backtest",
    "BacktestTrade",
    "Calibration",
    "DailyEquity",
    "Direction",
    "Mode",
    "PaperWallet",
    "RewardTarget",
    "Signal",
    "SignalScan",
    "SignalType",
    "SniperAlert",
    "Trade",
    "TradeOrder",
    "TradingControl",
    "TradingProfile",
]
