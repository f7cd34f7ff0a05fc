"""Form fields for an exchange API key and secret: the one definition of how they are validated.

Used by the Connect BingX form and, through the same validators and messages, by the credentials API.
Neither value is ever rendered back to the browser, and no error message repeats it; once valid, each is
a ``core.secret.Secret`` (masked in every repr, so no error page shows it).
"""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from core.secret import Secret

# BingX API keys and secrets are long strings of letters and digits (64 today); the bounds leave room
# for a change of format while catching a half-copied value or the wrong text pasted.
KEY_MIN_LENGTH = 32
KEY_MAX_LENGTH = 128


def key_charset(label: str) -> RegexValidator:
    """Letters and digits only: a space, line break or quote inside is a copy mistake."""
    return RegexValidator(
        r"\A[A-Za-z0-9]+\Z",
        f"A BingX {label} has only letters and digits. Copy it again with BingX's copy button, "
        "without spaces, line breaks or quotes.",
    )


def key_error_messages(label: str) -> dict[str, str]:
    """Field errors for forms and the API. They never include the submitted value."""
    return {
        "required": f"Paste your BingX {label}.",
        "blank": f"Paste your BingX {label}.",
        "null": f"Paste your BingX {label}.",
        "min_length": f"This is too short for a BingX {label} (at least {KEY_MIN_LENGTH} characters; "
        "BingX's are usually 64). Copy the whole value.",
        "max_length": f"This is too long for a BingX {label} (at most {KEY_MAX_LENGTH} characters). "
        "Paste only the one value.",
    }


class NoEchoTextInput(forms.TextInput):
    """A visible text box that, like PasswordInput(render_value=False), never renders a submitted value."""

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        return super().get_context(name, None, attrs)


class SecretField(forms.CharField):
    """A CharField checked as text whose cleaned value is a Secret."""

    def clean(self, value: object) -> Secret:
        return Secret(super().clean(value))


def _credential_field(label: str, widget: forms.Widget, help_text: str) -> SecretField:
    return SecretField(
        label=label,
        strip=True,  # surrounding spaces and line breaks from a paste
        min_length=KEY_MIN_LENGTH,
        max_length=KEY_MAX_LENGTH,
        validators=[key_charset(label)],
        widget=widget,
        help_text=help_text,
        error_messages=key_error_messages(label),
    )


def api_key_field(help_text: str) -> SecretField:
    """The API key: a visible box (people compare it with BingX's), never prefilled."""
    return _credential_field(
        "API key",
        NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
        help_text,
    )


def api_secret_field(help_text: str) -> SecretField:
    """The API secret: a password box, never prefilled."""
    return _credential_field(
        "API secret", forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}), help_text
    )
