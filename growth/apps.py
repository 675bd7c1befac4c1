from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "growth"
    verbose_name = _("Growth")

    def ready(self):
        from shops.visits import referred_visit_sink_set

        from .visits import visit_buffer_push

        # shops records who came (ShopVisitor); a referred view also lands in our visit log, through the
        # buffer: shops sits below us and cannot import us
        referred_visit_sink_set(visit_buffer_push)
