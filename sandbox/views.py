"""The sandbox gateway's cashier page (not the platform's: a real gateway's
page lives on its own site)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .payments import SandboxChargeClosed, sandbox_charge_finish, sandbox_charge_get


@require_http_methods(["GET", "POST"])
def sandbox_pay(request, reference: str):
    """Pay or fail; the platform hears of it later, by a signed callback."""
    charge = sandbox_charge_get(reference)
    if charge is None:
        raise Http404
    if request.method == "POST":
        try:
            charge = sandbox_charge_finish(reference=reference, pay=request.POST.get("outcome") == "pay")
        except SandboxChargeClosed:
            return render(request, "sandbox/pay.html", {"charge": charge, "closed": True}, status=409)
        return redirect(charge.return_url)
    return render(request, "sandbox/pay.html", {"charge": charge, "closed": charge.status != "pending"})
