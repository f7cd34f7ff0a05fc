from django.apps import AppConfig


class GatekeeperConfig(AppConfig):
    name = "gatekeeper"
    verbose_name = "Access (gatekeeper)"

    def ready(self) -> None:
        from core.realtime.groups import register_group_rule
        from gatekeeper import receivers  # noqa: F401  (reacts to accounts.events)
        from gatekeeper.permissions import FULL_GROUP_PREFIXES, can_join_full_group

        for prefix in FULL_GROUP_PREFIXES:
            register_group_rule(prefix, can_join_full_group)
