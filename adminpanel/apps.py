from django.apps import AppConfig


class AdminpanelConfig(AppConfig):
    name = "adminpanel"
    verbose_name = "Back office"

    def ready(self) -> None:
        from adminpanel import log_scrubbing

        log_scrubbing.install()  # every process that loads Django: web, workers, beat, commands
