from django.shortcuts import render

from .errors import DomainError


class DomainErrorMiddleware:
    """Pages: a domain error a view lets through becomes a page with its
    status and message (404 for another user's object, 409 for a refused
    transition …), never a 500. The API has its own handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "error.html",
            {"code": exception.code, "message": exception.message, "status": exception.http_status},
            status=exception.http_status,
        )
