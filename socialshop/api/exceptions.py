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

from django.core import signals
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from socialshop.errors import DomainError

# what Django itself answers with a 400 (and logs as it should): not a bug of ours
DJANGO_CLIENT_ERRORS = (BadRequest, SuspiciousOperation, MultiPartParserError)

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


def server_error_body() -> dict:
    """What any 500 under /api/ answers: the DRF views' (below) and Django's
    own handler500 (socialshop.views.server_error)."""
    return error_body("server_error", gettext("Something went wrong on our side. Please try again later."))


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
        if isinstance(exc, DJANGO_CLIENT_ERRORS):
            return None
        return _server_error(exc, context)

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


def _server_error(exc, context) -> Response:
    """A bug: the error body with status 500, never Django's HTML page. It
    still surfaces as Django shows an uncaught exception: announced by
    ``got_request_exception`` (error reporters; the test client re-raises
    it) and logged by ``django.request`` with its traceback."""
    request = getattr(context.get("request"), "_request", None)
    signals.got_request_exception.send(sender=None, request=request)
    set_rollback()
    response = Response(server_error_body(), status=500)
    log_response(
        "Internal Server Error: %s",
        request.path if request is not None else "?",
        response=response,
        request=request,
        exception=exc,
    )
    return response
