"""The shared API key and secret fields (accounts.forms_credentials): trimmed, checked, never echoed.

Connect BingX and the credentials API both build on them; their pages and endpoints are tested in tests/gatekeeper.
"""

from __future__ import annotations

import secrets
import string

import pytest
from django import forms

from accounts.forms_credentials import KEY_MAX_LENGTH, KEY_MIN_LENGTH, api_key_field, api_secret_field


def alnum(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


class PairForm(forms.Form):
    api_key = api_key_field("key help")
    api_secret = api_secret_field("secret help")


def test_surrounding_spaces_from_a_paste_are_trimmed():
    key, secret = alnum(), alnum()
    form = PairForm({"api_key": f"  {key}\n", "api_secret": f"\t{secret} "})
    assert form.is_valid() and form.cleaned_data == {"api_key": key, "api_secret": secret}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"api_key": "", "api_secret": alnum()}, "api_key", "Paste your BingX API key."),
        ({"api_key": alnum(), "api_secret": "  "}, "api_secret", "Paste your BingX API secret."),
        ({"api_key": alnum(KEY_MIN_LENGTH - 1), "api_secret": alnum()}, "api_key", "too short for a BingX API key"),
        ({"api_key": alnum(), "api_secret": alnum(KEY_MAX_LENGTH + 1)}, "api_secret", "too long for a BingX API"),
        ({"api_key": alnum(30) + " " + alnum(30), "api_secret": alnum()}, "api_key", "only letters and digits"),
        ({"api_key": alnum(), "api_secret": alnum(32) + "\n" + alnum(31)}, "api_secret", "only letters and digits"),
        ({"api_key": alnum(), "api_secret": '"' + alnum() + '"'}, "api_secret", "only letters and digits"),
    ],
    ids=["blank-key", "blank-secret", "short-key", "long-secret", "space-inside", "line-break-inside", "quotes"],
)
def test_bad_input_is_a_field_error_that_never_repeats_the_value(data, field, message):
    form = PairForm(data)
    assert not form.is_valid()
    errors = " ".join(form.errors[field])
    assert message in errors
    for value in data.values():
        if value.strip():
            assert value.strip()[:12] not in errors


def test_neither_field_renders_a_submitted_value():
    key, secret = alnum(), alnum()
    form = PairForm({"api_key": key, "api_secret": secret[:10]})  # the secret is too short: the form is redisplayed
    assert not form.is_valid()
    html = str(form)
    assert key not in html and secret[:10] not in html
    assert 'type="text" name="api_key"' in html and 'type="password" name="api_secret"' in html
    assert html.count('autocomplete="off"') == 2
