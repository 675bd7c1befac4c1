"""The inbox page (站内信) and the page where a person chooses channels."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialshop.errors import DomainError

from .choices import Channel
from .selectors import audiences_of, inbox_for, preferences_of
from .services import inbox_mark_read, preference_set

PAGE_SIZE = 20


@login_required
def inbox(request):
    page = Paginator(inbox_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read(request):
    """One message (``id``) or all of them marked read; then back to the inbox (or the message's link)."""
    message_id = request.POST.get("id", "")
    if message_id.isdigit() and len(message_id) < 19:
        inbox_mark_read(user=request.user, message_ids=[int(message_id)])
        follow = request.POST.get("next", "")
        if follow.startswith("/") and not follow.startswith("//"):
            return redirect(follow)
    else:
        inbox_mark_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    audiences = audiences_of(request.user)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            preference_set(user=request.user, kind=kind, channels=request.POST.getlist("channels"), audiences=audiences)
        except DomainError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, _("Saved."))
        return redirect("notifications:preferences")
    rows = [
        {
            "kind": kind,
            "channels": [
                {"value": value, "label": label, "on": value in chosen, "fixed": kind.locked and value == Channel.INBOX}
                for value, label in Channel.choices
                if value in kind.channels_allowed()
            ],
        }
        for kind, chosen in preferences_of(user=request.user, audiences=audiences)
    ]
    return render(request, "notifications/preferences.html", {"rows": rows})
