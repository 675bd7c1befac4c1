from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    """The sandbox providers: a payment gateway and a payout provider that
    behave like real ones without the network or real money. They implement
    the interfaces of ``orders.providers`` and ``commissions.providers`` and
    are chosen, like any provider, by ``PAYMENT_PROVIDER`` / ``PAYOUT_PROVIDER``
    (docs/orders.md, docs/commissions.md)."""

    name = "sandbox"
    verbose_name = _("Sandbox providers")
