"""Gatekeeper's reactions to other apps' events. Each receiver only hands over to one gatekeeper service."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.events import credential_removed
from accounts.models import ApiToken, ExchangeCredential, User
from gatekeeper.models import Access
from gatekeeper.services.access import access_after_key_removed
from gatekeeper.token_cache import tokens_forget, user_forget, user_tokens_forget


@receiver(credential_removed, dispatch_uid="gatekeeper.credential_removed")
def _credential_removed(sender, *, user, credential_id: int, exchange: str, request=None, **kwargs) -> None:
    # Only BingX keys decide access; any page, API or admin action that removes one ends here.
    if exchange == ExchangeCredential.Exchange.BINGX:
        access_after_key_removed(user=user, credential_id=credential_id, request=request)


# A token's cached authentication is cleared by any change that could refuse it (gatekeeper.token_cache).
@receiver(post_save, sender=ApiToken, dispatch_uid="gatekeeper.token_saved")
@receiver(post_delete, sender=ApiToken, dispatch_uid="gatekeeper.token_deleted")
def _token_changed(sender, instance: ApiToken, created: bool = False, **kwargs) -> None:
    if not created:
        tokens_forget([instance.key_hash])


@receiver(post_save, sender=User, dispatch_uid="gatekeeper.user_saved_tokens")
@receiver(post_delete, sender=User, dispatch_uid="gatekeeper.user_deleted_tokens")
@receiver(post_save, sender=Access, dispatch_uid="gatekeeper.access_saved_tokens")
@receiver(post_delete, sender=Access, dispatch_uid="gatekeeper.access_deleted_tokens")
def _token_owner_changed(sender, instance: User | Access, created: bool = False, update_fields=None, **kwargs) -> None:
    if sender is User and (created or set(update_fields or ()) == {"last_login"}):
        return  # a new user has no entry yet; signing in (last_login) changes nothing the checks read
    user_tokens_forget(instance.pk if sender is User else instance.user_id)


# A session's cached gates say whether the user has a confirmed second factor: any device change clears them.
@receiver(post_save, sender=TOTPDevice, dispatch_uid="gatekeeper.totp_device_saved")
@receiver(post_delete, sender=TOTPDevice, dispatch_uid="gatekeeper.totp_device_deleted")
@receiver(post_save, sender=StaticDevice, dispatch_uid="gatekeeper.static_device_saved")
@receiver(post_delete, sender=StaticDevice, dispatch_uid="gatekeeper.static_device_deleted")
def _device_changed(sender, instance: TOTPDevice | StaticDevice, **kwargs) -> None:
    user_forget(instance.user_id)
