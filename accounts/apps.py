from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (activity log receivers)
        from .vault import key_ring

        # Fail at start-up (web, worker, beat alike) on a malformed key ring, not at first use.
        key_ring()
