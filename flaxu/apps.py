from django.contrib.admin.apps import AdminConfig


class FlaxuAdminConfig(AdminConfig):
    """The admin site, and the project's own start-up: the top floor connects receivers between apps that
    must not import each other (flaxu/receivers.py)."""

    default_site = "flaxu.admin_site.FlaxuAdminSite"

    def ready(self) -> None:
        super().ready()
        from django.conf import settings

        from flaxu import receivers  # noqa: F401

        for directory in settings.FLAXU_WRITABLE_DIRS:  # var/, static root, the filesystem broker's folders
            directory.mkdir(parents=True, exist_ok=True)
