"""The "Connect BingX" form. Its fields, and how they are validated, come from accounts.forms_credentials."""

from __future__ import annotations

from django import forms

from accounts.forms_credentials import api_key_field, api_secret_field

# Shown under each emptied box after a refusal on a full page load (messages, not secrets).
PASTE_KEY_AGAIN = "Paste the API key again: for your safety FLAXU never sends keys back to your browser."
PASTE_SECRET_AGAIN = "Paste the secret again: for your safety FLAXU never sends it back to your browser."  # noqa: S105
# The boxes that stay in the browser when the form is submitted in place (htmx keeps elements marked so).
KEEP_IN_BROWSER = {"hx-preserve": "true"}


class KeyConnectForm(forms.Form):
    api_key = api_key_field("The “API Key” BingX shows for the new key.")
    api_secret = api_secret_field(
        "The “Secret Key”, shown by BingX only once. FLAXU stores it encrypted and never shows it again."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("api_key", "api_secret"):
            self.fields[name].widget.attrs.update(KEEP_IN_BROWSER)

    def refuse(self, reason: str, *, kept_in_browser: bool) -> None:
        """After BingX refused the key (or could not be asked): say why, and never send key or secret back.

        Submitted in place (htmx), the boxes keep what the user typed in their own browser; after a full page
        load they come back empty, and each says why.
        """
        self.add_error(None, reason)
        if not kept_in_browser:
            self.add_error("api_key", PASTE_KEY_AGAIN)
            self.add_error("api_secret", PASTE_SECRET_AGAIN)

    def clean(self) -> dict:
        cleaned = super().clean()
        api_key, api_secret = cleaned.get("api_key"), cleaned.get("api_secret")
        if api_key and api_secret and api_key == api_secret:
            self.add_error("api_secret", "This is the API key again: paste the Secret Key here.")
        return cleaned
