from rest_framework.permissions import BasePermission

from ..models import Reseller


class IsReseller(BasePermission):
    """Signed in and a reseller; ``request.reseller`` is set for the view.
    Anyone else signed in gets 403."""

    message = "Only resellers may do this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        request.reseller = Reseller.objects.filter(user=request.user).first()
        return request.reseller is not None
