"""Trading controls: each user's settings (page and API), the trading home, the kill switch, the global pause."""
