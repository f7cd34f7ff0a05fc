from django.contrib.admin.apps import AdminConfig


class FlaxuAdminConfig(AdminConfig):
    """The admin site, and the project's own start-up: the top floor connects receivers between apps that
    must not import each other (flaxu/receivers.py)."""

    default_site = "flaxu.admin_site.FlaxuAdminSite"

    def ready(self) -> None:
        super().ready()
        from flaxu import receivers  # noqa: F401
