"""What Django's error reports (the DEBUG page, error emails) may show of a failed request.

Django's own filter hides settings whose names look secret, but with DEBUG on it shows every frame's
local variables unfiltered, and ``@sensitive_variables`` / ``@sensitive_post_parameters`` only apply
with DEBUG off. FLAXU's keys travel as ``core.secret.Secret`` (masked repr); this filter is the defence
in depth for the frames we cannot change: ccxt holds the secret (``self.secret``, HMAC arguments), the
signed URL and the ``X-BX-APIKEY`` header, and requests/urllib3 hold the same request.
"""

from __future__ import annotations

from typing import Any

from django.utils.datastructures import MultiValueDict
from django.views.debug import SafeExceptionReporterFilter

# Frames whose variables are never shown: the exchange stack (ours and the libraries under it) and the
# vault. Matched on the frame's module name and its sub-modules.
OPAQUE_MODULES = (
    "ccxt",
    "requests",
    "urllib3",
    "hmac",
    "hashlib",
    "market.exchanges",
    "accounts.vault",
    "core.secret",
)


MAX_DICT_DEPTH = 5  # nested dicts looked into for secret-named keys


def _opaque(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in OPAQUE_MODULES)


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, active with DEBUG on too, that also hides variables and POST fields named like
    secrets (``hidden_settings``: API, KEY, SECRET, TOKEN, PASS, SIGNATURE, AUTH…, inside dicts too) and
    every variable of the exchange stack's frames."""

    def is_active(self, request: Any) -> bool:
        return True

    def _cleanse_names(self, items: MultiValueDict) -> MultiValueDict:
        if not any(isinstance(k, str) and self.hidden_settings.search(k) for k in items):
            return items
        items = items.copy()
        for name in list(items):
            if isinstance(name, str) and self.hidden_settings.search(name):
                items[name] = self.cleansed_substitute
        return items

    def get_post_parameters(self, request: Any) -> MultiValueDict:
        return self._cleanse_names(super().get_post_parameters(request))

    def cleanse_special_types(self, request: Any, value: Any) -> Any:
        value = super().cleanse_special_types(request, value)
        if isinstance(value, MultiValueDict):
            return self._cleanse_names(value)
        return value

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        if _opaque(tb_frame.f_globals.get("__name__", "")):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._cleanse_variable(name, value)) for name, value in variables]

    def _cleanse_variable(self, name: Any, value: Any, depth: int = 0) -> Any:
        """The value, or the substitute when its name (or a key above it, in nested dicts) looks secret."""
        if isinstance(name, str) and self.hidden_settings.search(name):
            return self.cleansed_substitute
        if isinstance(value, dict) and depth < MAX_DICT_DEPTH:
            return {key: self._cleanse_variable(key, item, depth + 1) for key, item in value.items()}
        return value
