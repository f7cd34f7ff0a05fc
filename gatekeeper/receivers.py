"""Gatekeeper's reactions to other apps' events. Each receiver only hands over to one gatekeeper service."""

from __future__ import annotations

from django.dispatch import receiver

from accounts.events import credential_removed
from accounts.models import ExchangeCredential
from gatekeeper.services.access import access_after_key_removed


@receiver(credential_removed, dispatch_uid="gatekeeper.credential_removed")
def _credential_removed(sender, *, user, credential_id: int, exchange: str, request=None, **kwargs) -> None:
    # Only BingX keys decide access; any page, API or admin action that removes one ends here.
    if exchange == ExchangeCredential.Exchange.BINGX:
        access_after_key_removed(user=user, credential_id=credential_id, request=request)
