"""One error body for the whole API::

    {"code": "out_of_stock", "message": "…", "fields": {"quantity": ["…"]}}

``code`` is stable and machine-readable; ``message`` is for people (in the
request's language); ``fields`` maps input fields to their errors (empty when
the error is not about one field). A ``validation_error`` also carries
``field_codes``: the same fields, each with the stable codes of its errors
(``required``, ``amount_malformed`` …), so a program can tell why without
reading a translated message. Extra keys a domain error carries (e.g.
``current_state`` on a refused transition) are added beside them.
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from socialshop.errors import DomainError

# DRF's own exception classes → our codes (their default_code where it is clear)
DRF_CODES = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"code": code, "message": message, "fields": fields or {}, **extra}


def _flatten_messages(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten_messages(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_flatten_messages(value)}" for key, value in detail.items())
    return str(detail)


def _field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as one flat ``{"field": ["…"]}``: a nested
    serializer's or list item's field is named by its path
    (``prices.0.sku_id``), so ``fields`` always maps a name to messages; the
    bad items of a list of plain values are reported on the list's name."""
    if isinstance(detail, dict) and prefix and detail and all(isinstance(key, int) for key in detail):
        if all(
            isinstance(value, list) and not any(isinstance(item, (dict, list)) for item in value)
            for value in detail.values()
        ):
            # a list of plain values (ListField): its items' messages belong to the field itself
            return {prefix: [str(message) for value in detail.values() for message in value]}
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(_field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix: [str(message) for message in messages]} if messages else {}


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message, exc.fields, **exc.extra)
        return Response(body, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: let it surface as a 500 and in the logs

    code = next((code for cls, code in DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            non_field = detail.get("non_field_errors")
            fields = _field_errors({key: value for key, value in detail.items() if key != "non_field_errors"})
            codes = exc.get_codes()
            field_codes = _field_errors({key: value for key, value in codes.items() if key != "non_field_errors"})
            message = _flatten_messages(non_field) if non_field else "Some fields are not valid."
        else:
            fields, field_codes = {}, {}
            message = _flatten_messages(detail)
        response.data = error_body(code, message, fields, field_codes=field_codes)
    else:
        response.data = error_body(code, _flatten_messages(exc.detail))
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response.data["retry_after_seconds"] = math.ceil(exc.wait)
    return response
