from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Carts, checkout, orders, payments, drop-ship fulfilment and refunds
    (docs/orders.md)."""

    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from . import consumers, receivers  # noqa: F401 - receivers connect the log-in signal

        consumers.register()
