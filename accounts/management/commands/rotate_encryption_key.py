"""Re-encrypt every stored exchange credential with the first key of FLAXU_ENCRYPTION_KEYS."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts import vault
from accounts.services.credentials import ReencryptFailed, credentials_reencrypt_report


class Command(BaseCommand):
    help = (
        "Re-encrypt every exchange credential with the first key of FLAXU_ENCRYPTION_KEYS. "
        "Afterwards the older keys can be removed from the ring. All or nothing: if any row "
        "cannot be decrypted, nothing changes and the command exits non-zero."
    )

    def handle(self, *args, **options) -> None:
        try:
            report = credentials_reencrypt_report()
        except ReencryptFailed as exc:
            raise CommandError(
                f"{exc}\nPut the missing or correct keys back into FLAXU_ENCRYPTION_KEYS (or delete the "
                "listed credentials), then run this command again."
            ) from None
        except vault.KeyRingError as exc:
            raise CommandError(str(exc)) from None
        if not report.count:
            self.stdout.write("No exchange credentials stored; nothing to re-encrypt.")
            return
        sources = ", ".join(f"'{key_id}': {n}" for key_id, n in sorted(report.from_key_ids.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {report.count} credential(s) with key '{report.to_key_id}' (previously: {sources})."
            )
        )
        older = sorted(set(vault.key_ring().ids) - {report.to_key_id})
        if older:
            self.stdout.write(
                f"No row uses {', '.join(repr(k) for k in older)} any more; you may remove "
                "them from FLAXU_ENCRYPTION_KEYS once every process runs with the new ring."
            )
