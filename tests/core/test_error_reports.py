"""Secrets stay masked wherever Python or Django print values: core.secret.Secret and the error-report filter."""

from __future__ import annotations

import copy
import json
import pickle
import secrets
import string
import sys

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.views.debug import ExceptionReporter, technical_500_response

from accounts import vault
from accounts.forms_credentials import api_key_field, api_secret_field
from core.secret import Secret
from gatekeeper.serializers import CredentialConnectSerializer


def alnum(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


class Hidden:
    """Holds the value under test without a repr that shows it (this frame is in the reports too)."""

    def __init__(self) -> None:
        self.value = alnum()

    def absent_from(self, text: str) -> bool:
        return self.value[:12] not in text and self.value[-12:] not in text


def test_a_secret_never_prints_pickles_or_serializes_itself():
    hidden = Hidden()
    secret = Secret(hidden.value)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r:>80}", repr([secret]), repr({"k": secret})):
        assert hidden.absent_from(text) and "********" in text
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        json.dumps({"secret": secret})
    with pytest.raises(AttributeError):
        secret._value = "changed"
    assert copy.deepcopy(secret) is secret
    assert secret.reveal() == hidden.value and secret == hidden.value and secret == Secret(hidden.value)
    assert secret != Secret(alnum()) and Secret(secret) == secret


def test_keys_come_out_of_the_vault_the_form_and_the_api_as_secrets(settings):
    settings.FLAXU_ENCRYPTION_KEYS = vault.generate_key_entry("k1")
    key, secret_value = alnum(), alnum()
    _, blob = vault.encrypt(Secret(secret_value), associated_data=b"aad")
    decrypted = vault.decrypt(blob, key_id="k1", associated_data=b"aad")
    assert isinstance(decrypted, Secret) and decrypted.reveal() == secret_value

    class PairForm(forms.Form):
        api_key = api_key_field("")
        api_secret = api_secret_field("")

    form = PairForm({"api_key": key, "api_secret": secret_value})
    assert form.is_valid()
    assert all(isinstance(value, Secret) for value in form.cleaned_data.values())
    serializer = CredentialConnectSerializer(data={"api_key": key, "api_secret": secret_value})
    assert serializer.is_valid()
    assert all(isinstance(value, Secret) for value in serializer.validated_data.values())


def _report_of_a_failure_holding(hidden: Hidden, *, debug: bool, settings) -> str:
    settings.DEBUG = debug
    request = RequestFactory().post("/somewhere/", {"api_key": hidden.value, "note": "visible note"})
    request.user = AnonymousUser()

    def fails(request_headers: dict, payload: dict, labelled: list) -> None:
        raise RuntimeError("boom")

    try:
        # Variables named like secrets, or dicts with such keys, as library code holds them.
        fails({"X-BX-APIKEY": hidden.value, "Accept": "application/json"}, {"api_secret": hidden.value}, [1, 2])
    except RuntimeError:
        page = technical_500_response(request, *sys.exc_info()).content.decode()
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
        return page + report
    raise AssertionError("no failure")


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_error_reports_hide_secret_named_variables_and_post_fields(settings, debug):
    hidden = Hidden()
    text = _report_of_a_failure_holding(hidden, debug=debug, settings=settings)
    assert hidden.absent_from(text)
    assert "visible note" in text and "application/json" in text  # the rest of the report is still useful
