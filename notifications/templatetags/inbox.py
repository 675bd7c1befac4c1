"""The unread badge of the menu and the tab bars: one count per request,
however many places show it (kept on the request)."""

from django import template

from ..selectors import inbox_unread_count

register = template.Library()


def unread_for(request) -> int:
    if request is None or not request.user.is_authenticated:
        return 0
    if not hasattr(request, "_inbox_unread"):
        request._inbox_unread = inbox_unread_count(user=request.user)
    return request._inbox_unread


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def inbox_badge(context):
    return {"unread": unread_for(getattr(context, "request", None) or context.get("request"))}


@register.inclusion_tag("notifications/_menu_link.html", takes_context=True)
def inbox_menu_link(context):
    request = getattr(context, "request", None) or context.get("request")
    return {"unread": unread_for(request), "signed_in": request is not None and request.user.is_authenticated}
