from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """Pushes to websocket groups, the outbox relay without Redis, and the worker heartbeat."""

    name = "core.realtime"
    verbose_name = "Live updates"
    label = "realtime"  # unchanged since it lived in flaxu/: its tables and migrations keep their names
