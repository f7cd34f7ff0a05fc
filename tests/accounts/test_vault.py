"""The credential vault: AES-256-GCM with owner-bound associated data, a key ring, and key rotation."""

from __future__ import annotations

import base64
import io
import secrets
import string

import pytest
from django.core.checks.registry import registry
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from accounts import vault
from accounts.models import ExchangeCredential
from accounts.services.credentials import (
    credential_create,
    credential_reveal,
    credentials_reencrypt,
)
from tests.factories import UserFactory

AAD = vault.credential_aad(7, "api_secret")


def _ring(*entries: str) -> vault.KeyRing:
    return vault.parse_key_ring(",".join(entries))


def _exchange_value() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


def _key_material(entry: str) -> str:
    return entry.partition(":")[2]


# --- Encryption --------------------------------------------------------------------------------------


def test_round_trip_returns_the_plaintext():
    ring = _ring(vault.generate_key_entry("k1"))
    key_id, blob = vault.encrypt("s3cret-ünïcode", associated_data=AAD, ring=ring)
    assert key_id == "k1"
    assert vault.decrypt(blob, key_id=key_id, associated_data=AAD, ring=ring) == "s3cret-ünïcode"


def test_a_memoryview_from_postgresql_decrypts_too():
    ring = _ring(vault.generate_key_entry("k1"))
    key_id, blob = vault.encrypt("value", associated_data=AAD, ring=ring)
    assert vault.decrypt(memoryview(blob), key_id=key_id, associated_data=AAD, ring=ring) == "value"


def test_each_encryption_uses_a_fresh_nonce():
    ring = _ring(vault.generate_key_entry("k1"))
    blobs = [vault.encrypt("same plaintext", associated_data=AAD, ring=ring)[1] for _ in range(20)]
    nonces = {blob[: vault.NONCE_BYTES] for blob in blobs}
    assert len(nonces) == 20
    assert len(set(blobs)) == 20
    assert all(b"same plaintext" not in blob for blob in blobs)


@pytest.mark.parametrize("position", [0, vault.NONCE_BYTES, -1], ids=["nonce", "ciphertext", "tag"])
def test_an_altered_byte_anywhere_is_refused_as_tampered(position):
    ring = _ring(vault.generate_key_entry("k1"))
    key_id, blob = vault.encrypt("value", associated_data=AAD, ring=ring)
    altered = bytearray(blob)
    altered[position] ^= 0x01
    with pytest.raises(vault.TamperedCiphertext):
        vault.decrypt(bytes(altered), key_id=key_id, associated_data=AAD, ring=ring)


def test_a_truncated_value_is_refused_as_tampered():
    ring = _ring(vault.generate_key_entry("k1"))
    key_id, blob = vault.encrypt("value", associated_data=AAD, ring=ring)
    with pytest.raises(vault.TamperedCiphertext, match="truncated"):
        vault.decrypt(blob[:20], key_id=key_id, associated_data=AAD, ring=ring)


def test_a_ciphertext_moved_to_another_user_or_field_fails():
    ring = _ring(vault.generate_key_entry("k1"))
    key_id, blob = vault.encrypt("value", associated_data=vault.credential_aad(7, "api_secret"), ring=ring)
    for owner, field in [(8, "api_secret"), (7, "api_key")]:
        with pytest.raises(vault.TamperedCiphertext):
            vault.decrypt(blob, key_id=key_id, associated_data=vault.credential_aad(owner, field), ring=ring)


def test_an_unknown_key_id_raises_unknown_key_naming_the_ids_only():
    entry = vault.generate_key_entry("k1")
    key_id, blob = vault.encrypt("value", associated_data=AAD, ring=_ring(entry))
    other = vault.generate_key_entry("k2")
    with pytest.raises(vault.UnknownKey) as caught:
        vault.decrypt(blob, key_id=key_id, associated_data=AAD, ring=_ring(other))
    assert "'k1'" in str(caught.value) and "k2" in str(caught.value)
    assert _key_material(entry) not in str(caught.value) and _key_material(other) not in str(caught.value)


def test_a_different_key_under_the_same_id_is_an_error_never_garbage():
    key_id, blob = vault.encrypt("value", associated_data=AAD, ring=_ring(vault.generate_key_entry("k1")))
    with pytest.raises(vault.TamperedCiphertext) as caught:
        vault.decrypt(blob, key_id=key_id, associated_data=AAD, ring=_ring(vault.generate_key_entry("k1")))
    assert "value" not in str(caught.value)


def test_errors_share_one_base_class():
    assert issubclass(vault.TamperedCiphertext, vault.VaultError)
    assert issubclass(vault.UnknownKey, vault.VaultError)
    assert issubclass(vault.KeyRingError, vault.VaultError)


def test_an_unsaved_owner_cannot_be_bound():
    with pytest.raises(vault.VaultError):
        vault.credential_aad(None, "api_key")


# --- Key ring ----------------------------------------------------------------------------------------


def test_the_first_key_encrypts_and_every_key_decrypts():
    old, new = vault.generate_key_entry("old"), vault.generate_key_entry("new")
    old_id, old_blob = vault.encrypt("value", associated_data=AAD, ring=_ring(old))
    ring = _ring(new, old)
    assert ring.primary_id == "new" and ring.ids == ("new", "old")
    assert vault.encrypt("value", associated_data=AAD, ring=ring)[0] == "new"
    assert vault.decrypt(old_blob, key_id=old_id, associated_data=AAD, ring=ring) == "value"


def test_the_ring_tolerates_spaces_newlines_and_missing_padding():
    entry = vault.generate_key_entry("k1")
    ring = vault.parse_key_ring(f"  {entry.rstrip('=')} ,\n {vault.generate_key_entry('k2')},")
    assert ring.ids == ("k1", "k2")


def test_the_ring_repr_names_ids_but_no_key_material():
    entry = vault.generate_key_entry("k1")
    assert _key_material(entry) not in repr(_ring(entry))
    assert "k1" in repr(_ring(entry))


_GOOD_KEY = base64.urlsafe_b64encode(b"\x01" * 32).decode()
_SHORT_KEY = base64.urlsafe_b64encode(b"\x02" * 16).decode()
_LONG_KEY = base64.urlsafe_b64encode(b"\x03" * 48).decode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        (" , ", "empty"),
        (_GOOD_KEY, "id:base64key"),
        ("k1:", "id:base64key"),
        (f"k1:{_SHORT_KEY}", "16 bytes"),
        (f"k1:{_LONG_KEY}", "48 bytes"),
        (f"k1:{_GOOD_KEY[:-3]}!!=", "not valid base64url"),
        (f"k1:{_GOOD_KEY},k1:{_GOOD_KEY}", "twice"),
        (f"key one:{_GOOD_KEY}", "key id"),
        (f"{'k' * 33}:{_GOOD_KEY}", "key id"),
    ],
    ids=[
        "empty",
        "only-commas",
        "no-id",
        "no-key",
        "short-key",
        "long-key",
        "bad-base64",
        "dup-id",
        "space-in-id",
        "long-id",
    ],
)
def test_a_bad_key_ring_is_a_clear_configuration_error_without_key_material(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        vault.parse_key_ring(raw)
    assert isinstance(caught.value, vault.KeyRingError)
    for material in (_GOOD_KEY, _SHORT_KEY, _LONG_KEY, _GOOD_KEY.rstrip("=")):
        assert material not in str(caught.value)


def test_a_bad_ring_in_settings_stops_encryption(settings):
    settings.FLAXU_ENCRYPTION_KEYS = f"k1:{_SHORT_KEY}"
    with pytest.raises(vault.KeyRingError, match="exactly 32"):
        vault.encrypt("value", associated_data=AAD)


def test_generated_entries_are_valid_unique_and_256_bit():
    entries = {vault.generate_key_entry() for _ in range(10)}
    assert len(entries) == 10
    ring = vault.parse_key_ring(",".join(entries))
    assert len(ring.ids) == 10
    assert all(len(base64.urlsafe_b64decode(_key_material(e))) == 32 for e in entries)


def test_generate_encryption_key_prints_an_entry_and_how_to_rotate():
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_encryption_key", "--id", "k2026", stdout=out, stderr=err)
    entry = out.getvalue().strip()
    assert vault.parse_key_ring(entry).ids == ("k2026",)
    assert "FLAXU_ENCRYPTION_KEYS" in err.getvalue() and "rotate_encryption_key" in err.getvalue()


def test_generate_encryption_key_refuses_a_bad_id():
    with pytest.raises(CommandError, match="key id"):
        call_command("generate_encryption_key", "--id", "bad id", stdout=io.StringIO(), stderr=io.StringIO())


# --- Mask --------------------------------------------------------------------------------------------


def test_mask_shows_four_characters_at_each_end():
    value = "abcd" + "x" * 56 + "wxyz"
    assert vault.mask(value) == "abcd…wxyz"
    assert len(vault.mask(value)) <= ExchangeCredential._meta.get_field("api_key_masked").max_length


@pytest.mark.parametrize("value", ["", "a", "abcdefgh", "abcdefghijkl", "a" * (vault.MASK_MIN_LENGTH - 1)])
def test_mask_hides_short_values_entirely(value):
    assert vault.mask(value) == vault.MASK_HIDDEN


# --- Stored credentials and rotation -----------------------------------------------------------------


def _store(user, label: str = "Main") -> tuple[ExchangeCredential, str, str]:
    api_key, api_secret = _exchange_value(), _exchange_value()
    credential = credential_create(user=user, exchange="bingx", label=label, api_key=api_key, api_secret=api_secret)
    return credential, api_key, api_secret


def test_a_stored_credential_copied_to_another_user_does_not_decrypt(db):
    owner, other = UserFactory(), UserFactory()
    credential, _, _ = _store(owner)
    ExchangeCredential.objects.filter(pk=credential.pk).update(user=other)
    with pytest.raises(vault.TamperedCiphertext):
        credential_reveal(ExchangeCredential.objects.get(pk=credential.pk))


def test_key_and_secret_swapped_within_a_row_do_not_decrypt(db, user):
    credential, _, _ = _store(user)
    ExchangeCredential.objects.filter(pk=credential.pk).update(
        api_key_encrypted=credential.api_secret_encrypted, api_secret_encrypted=credential.api_key_encrypted
    )
    with pytest.raises(vault.TamperedCiphertext):
        credential_reveal(ExchangeCredential.objects.get(pk=credential.pk))


def test_rotation_moves_every_row_to_the_new_key_so_the_old_key_can_be_removed(db, settings):
    old, new = vault.generate_key_entry("old"), vault.generate_key_entry("new")
    settings.FLAXU_ENCRYPTION_KEYS = old
    alice, bob = UserFactory(), UserFactory()
    stored = [_store(alice, "Main"), _store(alice, "Bot"), _store(bob, "Main")]
    before = {c.pk: bytes(c.api_secret_encrypted) for c, _, _ in stored}
    assert set(ExchangeCredential.objects.values_list("key_id", flat=True)) == {"old"}

    # New key first: new rows use it, old rows still decrypt with the old one.
    settings.FLAXU_ENCRYPTION_KEYS = f"{new},{old}"
    for credential, api_key, api_secret in stored:
        assert credential_reveal(ExchangeCredential.objects.get(pk=credential.pk)) == (api_key, api_secret)
    carol_credential, carol_key, carol_secret = _store(UserFactory())
    assert carol_credential.key_id == "new"

    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    report = out.getvalue()
    assert "Re-encrypted 4 credential(s) with key 'new'" in report
    assert "'old': 3" in report and "'new': 1" in report
    assert set(ExchangeCredential.objects.values_list("key_id", flat=True)) == {"new"}
    for pk, old_blob in before.items():
        assert bytes(ExchangeCredential.objects.get(pk=pk).api_secret_encrypted) != old_blob

    # The old key leaves the ring; everything still decrypts.
    settings.FLAXU_ENCRYPTION_KEYS = new
    for credential, api_key, api_secret in [*stored, (carol_credential, carol_key, carol_secret)]:
        assert credential_reveal(ExchangeCredential.objects.get(pk=credential.pk)) == (api_key, api_secret)


def test_without_the_rotation_removing_the_old_key_leaves_rows_unreadable(db, settings, user):
    old, new = vault.generate_key_entry("old"), vault.generate_key_entry("new")
    settings.FLAXU_ENCRYPTION_KEYS = old
    credential, _, _ = _store(user)
    settings.FLAXU_ENCRYPTION_KEYS = new
    with pytest.raises(vault.UnknownKey):
        credential_reveal(ExchangeCredential.objects.get(pk=credential.pk))


def test_rotation_reports_every_unreadable_row_changes_nothing_and_exits_non_zero(db, settings):
    lost, old, new = (vault.generate_key_entry(k) for k in ("lost", "old", "new"))
    settings.FLAXU_ENCRYPTION_KEYS = old
    readable, api_key, api_secret = _store(UserFactory())
    tampered, _, _ = _store(UserFactory(), "Other")
    ExchangeCredential.objects.filter(pk=tampered.pk).update(user=readable.user)  # AAD no longer matches
    settings.FLAXU_ENCRYPTION_KEYS = lost
    unreadable, lost_key, lost_secret = _store(UserFactory())
    settings.FLAXU_ENCRYPTION_KEYS = f"{new},{old}"

    with pytest.raises(CommandError) as caught:
        call_command("rotate_encryption_key", stdout=io.StringIO())
    message = str(caught.value)
    assert "2 credential(s) could not be decrypted; nothing was re-encrypted" in message
    assert f"credential {unreadable.pk} (key id 'lost'): its key id is not in FLAXU_ENCRYPTION_KEYS" in message
    assert f"credential {tampered.pk} (key id 'old'): failed authentication" in message
    for value in (api_key, api_secret, lost_key, lost_secret, _key_material(lost), _key_material(new)):
        assert value not in message
    # All or nothing: the readable row was rolled back to the old key and still decrypts.
    assert ExchangeCredential.objects.get(pk=readable.pk).key_id == "old"
    assert credential_reveal(ExchangeCredential.objects.get(pk=readable.pk)) == (api_key, api_secret)


def test_reencrypt_returns_how_many_rows_and_handles_several_batches(db, settings, user):
    old, new = vault.generate_key_entry("old"), vault.generate_key_entry("new")
    settings.FLAXU_ENCRYPTION_KEYS = old
    stored = [_store(user, f"Key {n}") for n in range(5)]
    settings.FLAXU_ENCRYPTION_KEYS = f"{new},{old}"
    assert credentials_reencrypt(batch_size=2) == 5
    settings.FLAXU_ENCRYPTION_KEYS = new
    for credential, api_key, api_secret in stored:
        assert credential_reveal(ExchangeCredential.objects.get(pk=credential.pk)) == (api_key, api_secret)


def test_rotation_with_no_rows_says_so(db):
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "nothing to re-encrypt" in out.getvalue()


def test_manage_py_check_reports_a_malformed_ring(settings):
    assert vault.check_key_ring in registry.get_checks()
    settings.FLAXU_ENCRYPTION_KEYS = f"k1:{_SHORT_KEY}"
    [error] = vault.check_key_ring()
    assert error.id == "flaxu.E001" and "exactly 32" in error.msg
    settings.FLAXU_ENCRYPTION_KEYS = vault.generate_key_entry("k1")
    assert vault.check_key_ring() == []
