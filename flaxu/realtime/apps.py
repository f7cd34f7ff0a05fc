from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "flaxu.realtime"
    label = "realtime"

    def ready(self) -> None:
        # Project-level receivers between apps that must not import each other (see flaxu/receivers.py).
        from flaxu import receivers  # noqa: F401
