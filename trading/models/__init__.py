"""Trading models: live signals and their scan cursors, sniper alerts, calibration snapshots, backtests."""

from trading.models.backtests import Backtest, BacktestTrade
from trading.models.signals import Calibration, Direction, Signal, SignalScan, SniperAlert

__all__ = ["Backtest", "BacktestTrade", "Calibration", "Direction", "Signal", "SignalScan", "SniperAlert"]
