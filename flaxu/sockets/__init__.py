"""The websocket endpoint /ws/: authentication, origin check, the consumer and its routing (project wiring:
it reads accounts and gatekeeper; the push plumbing it serves is core.realtime)."""
