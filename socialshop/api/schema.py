"""Documenting error answers in the OpenAPI schema, in the project's one error body."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse


def error_response(description: str, code: str, message: str, fields: dict | None = None, **extra) -> OpenApiResponse:
    """An error answer for ``extend_schema(responses=…)``, with an example
    body ``{"code", "message", "fields", …extra}`` (socialshop.api.exceptions)."""
    body = {"code": code, "message": message, "fields": fields or {}, **extra}
    return OpenApiResponse(description=description, examples=[OpenApiExample(code, body)])


NOT_FOUND = error_response("missing, or not the caller's (both answer the same)", "not_found", "Not found.")
