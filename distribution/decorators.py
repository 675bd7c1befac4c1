"""View decorators other apps' pages use too."""

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .exceptions import NotAReseller
from .selectors import reseller_for_user


def reseller_required(view):
    """A page of the logged-in reseller, passed to the view as its second
    argument; anyone else logged in is sent to the join page (the team
    pages and the money pages alike)."""

    @login_required
    @functools.wraps(view)
    def page(request, *args, **kwargs):
        try:
            reseller = reseller_for_user(request.user)
        except NotAReseller:
            return redirect("distribution:join")
        return view(request, reseller, *args, **kwargs)

    return page
