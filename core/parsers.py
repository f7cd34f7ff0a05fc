"""JSON from clients, bounded: a body or websocket message nested too deeply is a clear 400, never a 500.

Python's decoder recurses once per nesting level, so a few thousand ``[`` raise ``RecursionError``
(an HTTP 500). No FLAXU payload nests deeper than a few levels, so anything past ``MAX_JSON_DEPTH`` is refused.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

MAX_JSON_DEPTH = 32


class JsonRefused(ValueError):
    """The text is not JSON we accept; the message says why in plain words."""


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            level += 1
            deepest = max(deepest, level)
            stack.extend((child, level) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def json_loads_bounded(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH, **kwargs) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` with ``JsonRefused`` (a ValueError)."""
    too_deep = JsonRefused(f"JSON nested too deeply (at most {max_depth} levels).")
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise JsonRefused(f"not valid JSON ({exc})") from None
    if _depth(value) > max_depth:
        raise too_deep
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a depth limit: too deep is a 400 in the error shape."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF hands JSON parsers ``request.body``, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE already bounds the
        # size (RequestDataTooBig, answered as a 400 by core.api_errors).
        encoding = get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - body is not {encoding} text.") from exc
        parse_constant = _refuse_constant if self.strict else None
        try:
            return json_loads_bounded(text, max_depth=self.max_depth, parse_constant=parse_constant)
        except JsonRefused as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a valid JSON value")
