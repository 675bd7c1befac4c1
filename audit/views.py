from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .selectors import Area, audit_entries_describe, audit_operators, audit_rows

PAGE_SIZE = 50


def _positive_int(text: str, *, below: int) -> int | None:
    """A query parameter as a whole number in 1..below-1, else None (never a 500)."""
    try:
        number = int(text) if text.isascii() else None
    except ValueError:
        return None
    return number if number is not None and 0 < number < below else None


@staff_member_required
@require_GET
def audit_log(request):
    """Operators: who did what to money, the tree, shops, products and
    orders, and why, newest first; filtered by area and by operator."""
    area = request.GET.get("area", "")
    if area not in dict(Area.choices):
        area = ""
    operators = list(audit_operators())
    actor_id = _positive_int(request.GET.get("actor", ""), below=2**63)
    page = _positive_int(request.GET.get("page", ""), below=100_000) or 1
    # one more row than the page shows says whether an older page exists: no count of the whole history
    rows = audit_rows(area=area or None, actor_id=actor_id, first=(page - 1) * PAGE_SIZE, count=PAGE_SIZE + 1)
    return render(
        request,
        "audit/log.html",
        {
            **admin.site.each_context(request),  # the admin's header, user tools and menu around the page
            "title": _("Audit log"),
            "page": page,
            "has_older": len(rows) > PAGE_SIZE,
            "entries": audit_entries_describe(rows[:PAGE_SIZE]),
            "areas": Area.choices,
            "area": area,
            "operators": operators,
            "actor_id": actor_id,
        },
    )
