"""The base of every domain error.

Services raise subclasses (``OutOfStock``, ``InvalidTransition`` …); the API's
exception handler turns them into the project's error body with the status the
class names, and pages show ``message``. Each subclass sets a stable ``code``
that clients may rely on.
"""


class DomainError(Exception):
    code = "domain_error"
    http_status = 400
    default_message = "The request cannot be carried out."

    def __init__(self, message: str | None = None, *, fields: dict | None = None, **extra):
        self.message = message or self.default_message
        self.fields = fields or {}
        self.extra = extra
        super().__init__(self.message)


class NotFound(DomainError):
    """Missing, or not the caller's: both answer the same (no enumeration)."""

    code = "not_found"
    http_status = 404
    default_message = "Not found."


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    default_message = "You may not do this."


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = "The resource is not in a state that allows this."
