"""Project-level glue between apps that must not import each other.

``market`` knows no other FLAXU app, so when a price alert fires it only sends
``market.services.alerts.alert_fired``; the project (which may import every app) turns that into an
in-app notification through ``accounts``. Connected from ``flaxu.realtime.apps.RealtimeConfig.ready``.
The receiver runs inside the firing transaction: if it fails, the alert is not marked fired.
"""

from __future__ import annotations

from django.dispatch import receiver

from accounts.services.notifications import notify
from market.services.alerts import alert_fired


@receiver(alert_fired, dispatch_uid="flaxu.price_alert_notification")
def _price_alert_notification(sender, *, alert, title: str, body: str, link: str, **kwargs) -> None:
    # The email is sent by market itself (with the push), so only the in-app row here.
    notify(user=alert.user, kind="price_alert", title=title, body=body, link=link, email=False)
