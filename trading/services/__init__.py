"""Trading actions (services write; selectors.py reads). One module per concern:

- ``signals``: live ICT signals on closed candles (``signals_run``, queued by ``trading.receivers``);
- ``series``: what the engine reads for a series, the same for live runs and backtests;
- ``explain``: a signal's reasons in words and the events behind it, for the chart;
- ``sniper``: the sniper scan (``sniper_scan``);
- ``backtests``: validation, creation and running of user backtests;
- ``calibration``: the calibration snapshot live signals quote (``calibration_refresh``).
"""
