"""Trading by hand: the order API and pages (manual orders, one-click on sniper alerts and signals), close now."""
