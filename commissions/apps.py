from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = _("Commissions")

    def ready(self):
        from distribution.selectors import tier_count_source_set

        from .selectors import commission_tier_count_in_effect

        # distribution sizes team pages by the tiers that earn; it cannot import us
        tier_count_source_set(commission_tier_count_in_effect)
        from . import consumers

        consumers.register()  # order events → the commission engine
        consumers.grades_register()  # order events → resellers' grades (分销等级)

        # the payment's snapshot records the earners' grades; orders, below us, cannot read them
        from orders.services.payments import earner_terms_source_set

        from .selectors import grade_terms_for_earners

        earner_terms_source_set(grade_terms_for_earners)
