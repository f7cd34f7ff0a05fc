"""The Portfolio pages and API (the thin shell over trading.selectors_portfolio and trading.engine.performance)."""
