from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .selectors import Area, audit_entries_describe, audit_operators, audit_rows

PAGE_SIZE = 50


@staff_member_required
@require_GET
def audit_log(request):
    """Operators: who did what to money, the tree, shops, products and
    orders, and why, newest first; filtered by area and by operator."""
    area = request.GET.get("area", "")
    if area not in dict(Area.choices):
        area = ""
    operators = list(audit_operators())
    actor = request.GET.get("actor", "")
    actor_id = next((user.pk for user in operators if str(user.pk) == actor), None)
    page = Paginator(audit_rows(area=area or None, actor_id=actor_id), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {
            "title": _("Audit log"),
            "page": page,
            "entries": audit_entries_describe(list(page.object_list)),
            "areas": Area.choices,
            "area": area,
            "operators": operators,
            "actor_id": actor_id,
        },
    )
