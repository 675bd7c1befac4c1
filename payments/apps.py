from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """The real payment gateways, WeChat Pay and Alipay, behind the interface
    of ``orders.providers`` (beside the sandbox). They sit above ``orders``
    and are loaded by the dotted paths of ``PAYMENT_PROVIDERS``; ``orders``
    never imports them."""

    name = "payments"
    verbose_name = "Payment gateways"
