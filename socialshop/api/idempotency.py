"""The ``Idempotency-Key`` request header (as Stripe uses it): a client
sends a fresh random key with a POST and the same key when it retries that
POST, so a retry after a timeout never does the thing twice."""

import re

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 64 letters, digits and _-:. chosen by the client (a UUID is ideal); repeating a request with "
        "the same key returns the first result and does nothing again. The same key with a different body "
        "answers 422 `idempotency_key_reused`."
    ),
)


def idempotency_key(request) -> str | None:
    """The request's key, or None; a malformed key is a 400 on the header."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not KEY_PATTERN.match(value):
        raise ValidationError({HEADER: ["Use 1 to 64 letters, digits and _-:. (a UUID is ideal)."]})
    return value
