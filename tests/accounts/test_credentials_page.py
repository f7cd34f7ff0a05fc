"""The "Exchange keys" page: add (masked, logged), duplicate labels, bad input, and removal."""

from __future__ import annotations

import secrets
import string

import pytest
from django.urls import reverse

from accounts import vault
from accounts.models import ActivityLog, ExchangeCredential
from accounts.services.credentials import CredentialLabelTaken, credential_create, credential_reveal
from tests.factories import UserFactory

URL = reverse("credentials")


def _exchange_value() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


def _form(**overrides) -> dict:
    data = {
        "exchange": "bingx",
        "label": "Main",
        "api_key": _exchange_value(),
        "api_secret": _exchange_value(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_login(client, db):
    for response in (client.get(URL), client.post(URL, _form())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not ExchangeCredential.objects.exists()


def test_the_form_labels_every_input_and_never_prefills_the_secret(signed_in):
    html = signed_in.get(URL).content.decode()
    for name in ("exchange", "label", "api_key", "api_secret", "sandbox"):
        assert f'for="id_{name}"' in html
    assert 'type="password" name="api_secret"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_an_added_key_is_listed_masked_and_recorded_with_label_exchange_and_mask_only(signed_in, user):
    data = _form(label="Bot", sandbox="on")
    response = signed_in.post(URL, data, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    html = response.content.decode()
    mask = vault.mask(data["api_key"])
    assert mask in html and "Bot" in html and "Demo (VST)" in html
    assert data["api_key"] not in html and data["api_secret"] not in html

    credential = ExchangeCredential.objects.get(user=user)
    assert (credential.label, credential.exchange, credential.sandbox, credential.api_key_masked) == (
        "Bot",
        "bingx",
        True,
        mask,
    )
    assert credential_reveal(credential) == (data["api_key"], data["api_secret"])
    entry = ActivityLog.objects.get(user=user, action=ActivityLog.Action.CREDENTIAL_ADDED)
    assert entry.detail == {"label": "Bot", "exchange": "bingx", "mask": mask}


def test_surrounding_spaces_from_a_paste_are_trimmed(signed_in, user):
    data = _form()
    signed_in.post(URL, {**data, "api_key": f"  {data['api_key']}\n", "api_secret": f"\t{data['api_secret']} "})
    assert credential_reveal(ExchangeCredential.objects.get(user=user)) == (data["api_key"], data["api_secret"])


@pytest.mark.parametrize("label", ["Main", "main"])
def test_a_duplicate_label_is_a_form_error_and_the_existing_key_is_kept(signed_in, user, label):
    first = _form(label="Main")
    signed_in.post(URL, first)
    stored = ExchangeCredential.objects.get(user=user)

    second = _form(label=label)
    response = signed_in.post(URL, second)
    assert response.status_code == 200
    html = response.content.decode()
    assert "already have a key labelled" in html
    assert 'name="label"' in html and 'aria-invalid="true"' in html
    # The rejected submission is not echoed back; the stored key is untouched.
    assert second["api_key"] not in html and second["api_secret"] not in html
    assert ExchangeCredential.objects.filter(user=user).count() == 1
    assert ExchangeCredential.objects.get(pk=stored.pk).api_secret_encrypted == stored.api_secret_encrypted
    assert credential_reveal(ExchangeCredential.objects.get(pk=stored.pk)) == (first["api_key"], first["api_secret"])
    assert ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_ADDED).count() == 1


def test_the_same_label_is_fine_for_another_user(signed_in, user):
    other = UserFactory()
    credential_create(
        user=other, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    response = signed_in.post(URL, _form(label="Main"))
    assert response.status_code == 302
    assert ExchangeCredential.objects.filter(label="Main").count() == 2


def test_a_duplicate_that_slips_past_the_form_is_a_domain_error_not_an_integrity_error(user):
    # What the view catches if two submissions race past the form's check.
    credential_create(
        user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    with pytest.raises(CredentialLabelTaken):
        credential_create(
            user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
        )
    assert ExchangeCredential.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"label": ""}, "label", "Give this key a label."),
        ({"label": "   "}, "label", "Give this key a label."),
        ({"label": "x" * 61}, "label", "Keep the label to 60 characters."),
        ({"api_key": ""}, "api_key", "Enter your API key."),
        ({"api_secret": ""}, "api_secret", "Enter your API secret."),
        ({"api_key": "a" * 257}, "api_key", "Too long for an API key"),
        ({"api_secret": "s" * 257}, "api_secret", "Too long for an API secret"),
        ({"api_secret": "s" * 10}, "api_secret", "Too short for an API secret"),
        ({"api_secret": "abcd" * 8 + " " + "efgh" * 8}, "api_secret", "no spaces or line breaks"),
        ({"api_key": "abcd" * 8 + "\n" + "efgh" * 8}, "api_key", "no spaces or line breaks"),
        ({"exchange": "binance"}, "exchange", "Select a valid choice"),
    ],
    ids=[
        "blank-label",
        "space-label",
        "long-label",
        "blank-key",
        "blank-secret",
        "long-key",
        "long-secret",
        "short-secret",
        "space-in-secret",
        "newline-in-key",
        "unknown-exchange",
    ],
)
def test_bad_input_is_a_field_error_never_a_500_and_never_echoes_key_or_secret(
    signed_in, user, overrides, field, message
):
    data = _form(**overrides)
    response = signed_in.post(URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'class="errorlist' in html
    for name in ("api_key", "api_secret"):
        if data[name].strip():
            assert data[name].strip() not in html
            assert data[name].strip()[:12] not in html
    assert not ExchangeCredential.objects.filter(user=user).exists()


def test_a_secret_equal_to_the_key_is_refused(signed_in, user):
    value = _exchange_value()
    response = signed_in.post(URL, _form(api_key=value, api_secret=value))
    assert response.status_code == 200
    assert "The secret is the same as the key" in response.content.decode()
    assert value not in response.content.decode()
    assert not ExchangeCredential.objects.exists()


def test_the_list_shows_only_my_keys(signed_in, user):
    mine = credential_create(
        user=user, exchange="bingx", label="Mine", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    theirs = credential_create(
        user=UserFactory(), exchange="bingx", label="Theirs", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    html = signed_in.get(URL).content.decode()
    assert mine.api_key_masked in html and "Mine" in html
    assert theirs.api_key_masked not in html and "Theirs" not in html


def test_another_users_key_is_a_404_on_delete_and_survives(signed_in):
    theirs = credential_create(
        user=UserFactory(), exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    url = reverse("credential_delete", args=[theirs.pk])
    assert signed_in.get(url).status_code == 404
    assert signed_in.post(url).status_code == 404
    assert ExchangeCredential.objects.filter(pk=theirs.pk).exists()
    assert not ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_REMOVED).exists()


def test_a_missing_key_is_a_404(signed_in):
    assert signed_in.post(reverse("credential_delete", args=[999999])).status_code == 404


def test_remove_asks_for_confirmation_first(signed_in, user):
    credential = credential_create(
        user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    url = reverse("credential_delete", args=[credential.pk])
    response = signed_in.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove “Main”?" in html and f'action="{url}"' in html and 'method="post"' in html
    assert ExchangeCredential.objects.filter(pk=credential.pk).exists()


def test_remove_deletes_the_key_and_records_activity(signed_in, user):
    credential = credential_create(
        user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    response = signed_in.post(reverse("credential_delete", args=[credential.pk]), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "removed" in response.content.decode()
    assert not ExchangeCredential.objects.filter(pk=credential.pk).exists()
    entry = ActivityLog.objects.get(user=user, action=ActivityLog.Action.CREDENTIAL_REMOVED)
    assert entry.detail == {"label": "Main", "exchange": "bingx", "mask": credential.api_key_masked}
