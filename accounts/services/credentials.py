"""Storing, replacing, revealing, removing and re-encrypting users' exchange API keys (see accounts.vault)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from accounts import vault
from accounts.events import credential_removed
from accounts.models import ActivityLog, ExchangeCredential, User
from accounts.services.activity import activity_record
from core.secret import Secret

logger = logging.getLogger(__name__)

REENCRYPT_BATCH_SIZE = 200
_KEY_FIELD = "api_key"
_SECRET_FIELD = "api_secret"  # noqa: S105 (a field name in the associated data, not a secret)
_FAILURE_REASONS = {
    vault.UnknownKey: "its key id is not in FLAXU_ENCRYPTION_KEYS",
    vault.TamperedCiphertext: "failed authentication (altered, or a different key under this id)",
}


class CredentialLabelTaken(ValueError):
    """The user already has a key with this label on this exchange."""


class ReencryptFailed(vault.VaultError):
    """Some rows could not be decrypted; nothing was changed. Names ids and reasons, never values."""

    def __init__(self, failures: list[tuple[int, str, str]]) -> None:
        self.failures = failures  # (credential id, key id, reason)
        lines = [f"  credential {pk} (key id '{key_id}'): {reason}" for pk, key_id, reason in failures]
        super().__init__(
            f"{len(failures)} credential(s) could not be decrypted; nothing was re-encrypted.\n" + "\n".join(lines)
        )


@dataclass(frozen=True)
class ReencryptReport:
    """What a re-encryption did: how many rows, to which key, from which key ids."""

    count: int
    to_key_id: str
    from_key_ids: dict[str, int]


def _seal(credential: ExchangeCredential, api_key: str | Secret, api_secret: str | Secret, ring: vault.KeyRing) -> None:
    key_id, credential.api_key_encrypted = vault.encrypt(
        api_key, associated_data=vault.credential_aad(credential.user_id, _KEY_FIELD), ring=ring
    )
    _, credential.api_secret_encrypted = vault.encrypt(
        api_secret, associated_data=vault.credential_aad(credential.user_id, _SECRET_FIELD), ring=ring
    )
    credential.key_id = key_id


def _open(credential: ExchangeCredential, ring: vault.KeyRing | None = None) -> tuple[Secret, Secret]:
    ring = ring or vault.key_ring()
    api_key = vault.decrypt(
        credential.api_key_encrypted,
        key_id=credential.key_id,
        associated_data=vault.credential_aad(credential.user_id, _KEY_FIELD),
        ring=ring,
    )
    api_secret = vault.decrypt(
        credential.api_secret_encrypted,
        key_id=credential.key_id,
        associated_data=vault.credential_aad(credential.user_id, _SECRET_FIELD),
        ring=ring,
    )
    return api_key, api_secret


# sensitive_variables() (all locals) blanks this frame and every frame below it (vault, ORM) in Django's
# error reports, so plaintext never reaches an error email.
@sensitive_variables()
def credential_create(
    *,
    user: User,
    exchange: str,
    label: str,
    api_key: str | Secret,
    api_secret: str | Secret,
    sandbox: bool = False,
    request: HttpRequest | None = None,
) -> ExchangeCredential:
    """Encrypt and store a key pair; records CREDENTIAL_ADDED with label, exchange and mask only."""
    if not api_key or not api_secret:
        raise ValueError("Both the API key and the API secret are required.")
    credential = ExchangeCredential(
        user=user, exchange=exchange, label=label, sandbox=sandbox, api_key_masked=vault.mask(api_key)
    )
    _seal(credential, api_key, api_secret, vault.key_ring())
    try:
        with transaction.atomic():
            credential.save(force_insert=True)
            activity_record(
                action=ActivityLog.Action.CREDENTIAL_ADDED,
                user=user,
                request=request,
                label=label,
                exchange=exchange,
                mask=credential.api_key_masked,
            )
    except IntegrityError:
        # The form checks labels first; this catches the race between two submissions.
        if ExchangeCredential.objects.filter(user=user, exchange=exchange, label=label).exists():
            raise CredentialLabelTaken(f"You already have a {exchange} key labelled “{label}”.") from None
        raise
    return credential


@sensitive_variables()
def credential_replace(
    *,
    credential: ExchangeCredential,
    api_key: str | Secret,
    api_secret: str | Secret,
    request: HttpRequest | None = None,
) -> ExchangeCredential:
    """Encrypt a new key pair onto an existing row (same id, label and mode); records CREDENTIAL_REPLACED.

    Nothing is deleted, so nothing reacts to a removal; the activity entry holds masks only.
    """
    if not api_key or not api_secret:
        raise ValueError("Both the API key and the API secret are required.")
    previous_mask = credential.api_key_masked
    credential.api_key_masked = vault.mask(api_key)
    _seal(credential, api_key, api_secret, vault.key_ring())
    with transaction.atomic():
        credential.save(
            update_fields=["key_id", "api_key_encrypted", "api_secret_encrypted", "api_key_masked", "updated_at"]
        )
        activity_record(
            action=ActivityLog.Action.CREDENTIAL_REPLACED,
            user=credential.user,
            request=request,
            label=credential.label,
            exchange=credential.exchange,
            mask=credential.api_key_masked,
            previous_mask=previous_mask,
        )
    return credential


def credential_delete(*, credential: ExchangeCredential, request: HttpRequest | None = None) -> None:
    """Delete the key pair; records CREDENTIAL_REMOVED with label, exchange and mask only.

    Once the deletion commits, sends ``accounts.events.credential_removed`` (gatekeeper re-decides access).
    """
    user, credential_id, exchange = credential.user, credential.pk, credential.exchange
    with transaction.atomic():
        activity_record(
            action=ActivityLog.Action.CREDENTIAL_REMOVED,
            user=user,
            request=request,
            label=credential.label,
            exchange=exchange,
            mask=credential.api_key_masked,
        )
        credential.delete()
        # Registered inside the block: a rolled-back deletion tells nobody.
        transaction.on_commit(
            lambda: credential_removed.send(
                sender=ExchangeCredential, user=user, credential_id=credential_id, exchange=exchange, request=request
            )
        )


@sensitive_variables()
def credential_reveal(credential: ExchangeCredential) -> tuple[Secret, Secret]:
    """``(api_key, api_secret)`` decrypted, as masked ``Secret``s, for server-side exchange calls only."""
    return _open(credential)


@sensitive_variables()
def credentials_reencrypt_report(*, batch_size: int = REENCRYPT_BATCH_SIZE) -> ReencryptReport:
    """Re-encrypt every row with the ring's first key, all or nothing; raises ReencryptFailed."""
    ring = vault.key_ring()
    from_key_ids: Counter[str] = Counter()
    failures: list[tuple[int, str, str]] = []
    count = 0
    with transaction.atomic():
        last_pk = 0
        while True:
            # Batches by primary key keep memory flat; the rows stay locked until the commit.
            batch = list(
                ExchangeCredential.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "user_id", "key_id", "api_key_encrypted", "api_secret_encrypted")[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            changed = []
            for credential in batch:
                old_key_id = credential.key_id
                try:
                    api_key, api_secret = _open(credential, ring)
                except vault.VaultError as exc:
                    failures.append((credential.pk, old_key_id, _FAILURE_REASONS.get(type(exc), str(exc))))
                    continue
                _seal(credential, api_key, api_secret, ring)
                from_key_ids[old_key_id] += 1
                changed.append(credential)
            if changed and not failures:  # once anything failed, only keep scanning to report every bad row
                ExchangeCredential.objects.bulk_update(
                    changed, ["key_id", "api_key_encrypted", "api_secret_encrypted"], batch_size=batch_size
                )
                count += len(changed)
        if failures:
            logger.error("Re-encryption aborted: %d credential(s) could not be decrypted.", len(failures))
            raise ReencryptFailed(failures)  # leaving the atomic block rolls back earlier batches
    logger.info("Re-encrypted %d credential(s) with key id %s (from %s).", count, ring.primary_id, dict(from_key_ids))
    return ReencryptReport(count=count, to_key_id=ring.primary_id, from_key_ids=dict(from_key_ids))


def credentials_reencrypt(*, batch_size: int = REENCRYPT_BATCH_SIZE) -> int:
    """Re-encrypt every row with the ring's first key, in one transaction; returns how many rows."""
    return credentials_reencrypt_report(batch_size=batch_size).count
