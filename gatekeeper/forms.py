"""The "Connect BingX" form. Neither the key nor the secret is ever rendered back to the browser."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from accounts.forms_credentials import NoEchoTextInput

# BingX API keys and secrets are long strings of letters and digits (64 today); the bounds leave room
# for a change of format while catching a half-copied value or the wrong text pasted.
KEY_MIN_LENGTH = 32
KEY_MAX_LENGTH = 128


def key_charset(label: str) -> RegexValidator:
    return RegexValidator(
        r"\A[A-Za-z0-9]+\Z",
        f"A BingX {label} has only letters and digits. Copy it again with BingX's copy button, "
        "without spaces, line breaks or quotes.",
    )


def key_error_messages(label: str) -> dict[str, str]:
    """Field errors for the form and the API. They never include the submitted value."""
    return {
        "required": f"Paste your BingX {label}.",
        "blank": f"Paste your BingX {label}.",
        "null": f"Paste your BingX {label}.",
        "min_length": f"This is too short for a BingX {label} (at least {KEY_MIN_LENGTH} characters; "
        "BingX's are usually 64). Copy the whole value.",
        "max_length": f"This is too long for a BingX {label} (at most {KEY_MAX_LENGTH} characters). "
        "Paste only the one value.",
    }


def _key_field(label: str, widget: forms.Widget, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=True,
        min_length=KEY_MIN_LENGTH,
        max_length=KEY_MAX_LENGTH,
        validators=[key_charset(label)],
        widget=widget,
        help_text=help_text,
        error_messages=key_error_messages(label),
    )


class KeyConnectForm(forms.Form):
    api_key = _key_field(
        "API key",
        NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
        "The “API Key” BingX shows for the new key.",
    )
    api_secret = _key_field(
        "API secret",
        forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        "The “Secret Key”, shown by BingX only once. FLAXU stores it encrypted and never shows it again.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        api_key, api_secret = cleaned.get("api_key"), cleaned.get("api_secret")
        if api_key and api_secret and api_key == api_secret:
            self.add_error("api_secret", "This is the API key again: paste the Secret Key here.")
        return cleaned
