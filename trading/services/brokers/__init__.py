"""Brokers: the paper broker and BingX behind one interface (``base.Broker``)."""
