"""The ``Idempotency-Key`` request header in the API: the one OpenAPI
parameter and 422 answer every endpoint that takes a key declares, and the
view mixin that reads the header and answers what the service returned. The
contract and the storage are ``socialshop.idempotency``'s; the view never
holds a transaction: the service it calls claims the key in its own.

    class WithdrawalViewSet(IdempotentViewMixin, …):
        @extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={…, 422: IDEMPOTENCY_KEY_REUSED})
        def create(self, request):
            data = …validated…
            answer = withdrawal_request(…, idempotency=self.idempotency(request, data=data, answer=out))
            return self.idempotent_response(answer)
"""

from collections.abc import Callable

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from socialshop.idempotency import (
    HEADER,
    KEY_MAX_LENGTH,
    Answer,
    Idempotency,
    IdempotencyKeyReused,
    idempotency_key_valid,
    request_digest,
)

from .schema import error_response

REPLAYED_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=rf"^[A-Za-z0-9_\-:.]{{1,{KEY_MAX_LENGTH}}}$",
    description=(
        f"1 to {KEY_MAX_LENGTH} letters, digits and _-:. chosen by the client (a UUID is ideal), scoped to the "
        "caller. Repeating the request with the same key and body answers the first response (header "
        f"`{REPLAYED_HEADER}: true`) and does nothing again; the same key with another request answers 422 "
        "`idempotency_key_reused`. Kept 24 hours."
    ),
)

_REUSED = "This Idempotency-Key was used with a different request."  # IdempotencyKeyReused's, untranslated
IDEMPOTENCY_KEY_REUSED = error_response(
    "The Idempotency-Key was used with a different request.", IdempotencyKeyReused.code, _REUSED, {HEADER: [_REUSED]}
)


def idempotency_key(request) -> str | None:
    """The request's key, or None; a malformed key is a 400 on the header."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not idempotency_key_valid(value):
        raise ValidationError(
            {HEADER: [_("Use 1 to %(most)d letters, digits and _-:. (a UUID is ideal).") % {"most": KEY_MAX_LENGTH}]}
        )
    return value


# For a view whose POST calls a service that takes ``idempotency``. (A comment, not a docstring: the
# schema would take a docstring as the description of every view that mixes it in.)
class IdempotentViewMixin:
    def idempotency(self, request, *, data, answer: Callable[..., dict], status: int = 201) -> Idempotency:
        """What the service needs to honour the request's key: ``data`` is the
        validated body (what the digest is made of), ``answer`` turns what
        the service made into the response body."""
        key = idempotency_key(request)
        digest = request_digest(method=request.method, path=request.path, data=data) if key is not None else ""
        return Idempotency(user_id=request.user.pk, key=key, digest=digest, answer=answer, status=status)

    def idempotent_response(self, answer: Answer) -> Response:
        headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
        return Response(answer.body, status=answer.status, headers=headers)
