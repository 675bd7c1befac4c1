from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError


class WebhookTargetRefused(DomainError):
    code = "webhook_target_refused"
    default_message = _("This URL cannot receive webhooks.")


class UnknownEventType(DomainError):
    code = "unknown_event_type"
    default_message = _("Unknown event type.")


class DeliveryBeingSent(Conflict):
    code = "delivery_being_sent"
    default_message = _("This delivery is being sent right now; replay it once the attempt is over.")
