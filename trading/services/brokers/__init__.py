"""Brokers: the paper broker and BingX behind one interface (``base.Broker``)."""

from __future__ import annotations

from trading.services.brokers.base import Broker


def broker_for(user, mode: str) -> Broker:
    """The broker acting for ``user`` in ``mode`` (``paper`` or ``live``)."""
    if mode == "live":
        from trading.services.brokers.live import LiveBroker

        return LiveBroker(user)
    if mode == "paper":
        from trading.services.brokers.paper import PaperBroker  # written alongside; imported when first used

        return PaperBroker(user)
    raise ValueError(f"Unknown trading mode {mode!r}.")
