from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "flaxu.realtime"
    label = "realtime"
