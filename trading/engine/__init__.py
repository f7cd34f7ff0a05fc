"""FLAXU's pure signal engines: numpy/pandas in, plain data out, nothing from Django.

ICT / price-action engine: ``analyze(candles)`` for one timeframe, ``analyze_mtf(frames)`` across
1h/15m/5m/1m. One detector per module (pivots, structure, order_blocks, fvg, liquidity,
volume_profile; zones.py tracks their life), pipeline.py runs them in one compiled pass, scoring.py
turns events into signals, config.py holds every parameter, synthetic.py makes test candles.
"""

from pathlib import Path

from trading.engine.analysis import Analysis, analyze
from trading.engine.compiled import drop_stale_compilations
from trading.engine.config import DEFAULT_CONFIG, EngineConfig
from trading.engine.events import KINDS
from trading.engine.mtf import MultiTimeframeAnalysis, analyze_mtf
from trading.engine.scoring import SETUPS
from trading.engine.synthetic import generate_candles
from trading.engine.volume_profile import volume_profile

# Nothing compiled has run yet (numba loads its cache on a function's first call): drop compilations
# made from other sources before anything can load them.
drop_stale_compilations(__name__, Path(__file__).parent)

__all__ = [
    "DEFAULT_CONFIG",
    "KINDS",
    "SETUPS",
    "Analysis",
    "EngineConfig",
    "MultiTimeframeAnalysis",
    "analyze",
    "analyze_mtf",
    "generate_candles",
    "volume_profile",
]
