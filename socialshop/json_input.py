"""JSON from outside the platform (API request bodies, payment providers'
callbacks), read within limits.

Python's ``json`` recurses once per nesting level, so a body of a few
thousand ``[`` runs out of stack and raises RecursionError, which no caller
expects (a 500). Every JSON body the platform reads from a client or a
provider goes through ``json_input_parse``: a body larger than
``JSON_BODY_MAX_BYTES`` or nested deeper than ``JSON_BODY_MAX_DEPTH`` is
refused with a domain error before ``json`` sees it. Anything else that is
not JSON raises ValueError, as ``json.loads`` does, and so do ``NaN`` and
``Infinity``, which are not JSON.
"""

import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

# a whole string (brackets inside it do not nest) or one bracket
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_OPENING = frozenset("[{")
_CLOSING = frozenset("]}")


class JsonInputRefused(DomainError):
    """A JSON body outside the limits; the subclass says which."""


class JsonTooLarge(JsonInputRefused):
    code = "json_too_large"
    http_status = 413
    default_message = _("The JSON body is too large.")


class JsonTooDeep(JsonInputRefused):
    code = "json_too_deep"
    default_message = _("The JSON body is nested too deeply.")


def json_input_parse(body: bytes, *, encoding: str = "utf-8") -> Any:
    """``json.loads`` for bodies from outside: JsonTooLarge or JsonTooDeep
    beyond the limits, ValueError for anything that is not JSON."""
    max_bytes = settings.JSON_BODY_MAX_BYTES
    if len(body) > max_bytes:
        message = gettext("The JSON body is too large (at most %(kb)d KB).")
        raise JsonTooLarge(message % {"kb": max(max_bytes // 1024, 1)})
    text = body.decode(encoding)  # UnicodeDecodeError is a ValueError
    max_depth = settings.JSON_BODY_MAX_DEPTH
    if _nesting_exceeds(text, max_depth):
        message = gettext("The JSON body is nested too deeply (at most %(depth)d levels).")
        raise JsonTooDeep(message % {"depth": max_depth})
    return json.loads(text, parse_constant=_refuse_constant)


def _nesting_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects nest deeper than ``max_depth``, counted
    without recursion (one pass; stops at the first level too many)."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > max_depth:
                return True
        elif token in _CLOSING:
            depth -= 1
    return False


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")
