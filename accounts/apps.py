from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and security"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (activity log receivers)
        from .services.site import site_sync
        from .vault import key_ring

        # After every migrate (and after django.contrib.sites made example.com on a fresh database).
        post_migrate.connect(site_sync, sender=self, dispatch_uid="accounts.site_sync")
        # Fail at start-up (web, worker, beat alike) on a malformed key ring, not at first use.
        key_ring()
