"""Account mail names the product and its address, on a fresh database and after FLAXU_SITE_URL changes."""

from django.contrib.sites.models import Site
from django.core import mail
from django.core.management.sql import emit_post_migrate_signal

from tests.factories import PASSWORD

EMAIL = "mailcheck@example.com"


def _verification_mail(client) -> str:
    client.post("/accounts/signup/", {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    return f"{message.subject}\n{message.body}"


def test_verification_mail_on_a_fresh_database_says_flaxu_not_example_com(client, db, settings):
    text = _verification_mail(client)
    assert "Hello from FLAXU!" in text
    assert "Thank you for using FLAXU!" in text
    assert "127.0.0.1:8000" in text  # FLAXU_SITE_URL's default
    assert "example.com" not in text.replace(EMAIL, "")


def test_an_existing_database_follows_flaxu_site_url_on_the_next_migrate(client, db, settings):
    # As older installs have it:
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    settings.SITE_URL = "https://flaxu.example.org"

    # What `migrate` does once it has applied migrations (calling migrate itself inside a test transaction
    # breaks on SQLite whenever a new migration file is present).
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("flaxu.example.org", "FLAXU")
    text = _verification_mail(client)
    assert "Hello from FLAXU!" in text and "flaxu.example.org" in text
