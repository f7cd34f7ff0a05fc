"""Print a new FLAXU_ENCRYPTION_KEYS entry (a random 256-bit key with an id)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import vault


class Command(BaseCommand):
    help = "Print a new 'id:key' entry for FLAXU_ENCRYPTION_KEYS, and how to rotate to it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id", dest="key_id", help="Key id (default: k<date>-<random>).")
        parser.add_argument("--quiet", action="store_true", help="Print only the entry, without instructions.")

    def handle(self, *args, key_id: str | None = None, quiet: bool = False, **options) -> None:
        try:
            entry = vault.generate_key_entry(key_id)
        except vault.KeyRingError as exc:
            raise CommandError(str(exc)) from None
        # The entry alone goes to stdout (so `$(... generate_encryption_key)` captures just it), never to a log.
        self.stdout.write(entry)
        if quiet:
            return
        self.stderr.write(
            "\nTo rotate to this key:\n"
            "  1. Prepend it to FLAXU_ENCRYPTION_KEYS, keeping the old entries after it:\n"
            "       FLAXU_ENCRYPTION_KEYS=<new entry>,<old entries>\n"
            "  2. Restart every web, worker and beat process so they all read the new ring.\n"
            "  3. Run: python manage.py rotate_encryption_key\n"
            "  4. Then remove the old entries from the ring and restart again.\n"
            "Store the entry in your secret manager; anyone holding it can decrypt users' exchange keys."
        )
