"""Pieces of the OpenAPI schema every app's views share: the error body and
the error responses common to most operations."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

# the component name drf-spectacular gives ErrorSerializer in the schema
INVALID_REF_NAME = "Error"


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="For people, in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Input field → its errors; empty when the error is not about a field.",
    )
    field_codes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="On a validation_error: input field → the stable codes of its errors, e.g. amount_malformed.",
    )


def error_response(description: str, code: str, message: str, fields: dict | None = None, **extra) -> OpenApiResponse:
    """An error answer with an example body; ``fields`` and extra keys (e.g.
    ``current_state``) go into the example as the exception handler sends them."""
    body = {"code": code, "message": message, "fields": fields or {}, **extra}
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description,
        examples=[OpenApiExample(code, value=body, response_only=True)],
    )


UNAUTHENTICATED = error_response(
    "No valid credentials.", "not_authenticated", "Authentication credentials were not provided."
)
FORBIDDEN = error_response("The caller's role may not do this.", "permission_denied", "You may not do this.")
NOT_FOUND = error_response("Missing, or not the caller's.", "not_found", "Not found.")
THROTTLED = error_response("Too many requests; see Retry-After.", "throttled", "Request was throttled.")
INVALID = OpenApiResponse(
    response=ErrorSerializer,
    description="The input is not valid; `fields` says where, `field_codes` why.",
    examples=[
        OpenApiExample(
            "validation_error",
            value={
                "code": "validation_error",
                "message": "Some fields are not valid.",
                "fields": {"name": ["…"]},
                "field_codes": {"name": ["required"]},
            },
            response_only=True,
        )
    ],
)
CONFLICT = error_response("The object's state does not allow this.", "conflict", "…")

ERRORS_AUTHENTICATED = {401: UNAUTHENTICATED, 403: FORBIDDEN, 429: THROTTLED}
