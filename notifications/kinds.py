"""What the platform tells people: one entry per kind of message.

Each kind names who it is for, what it says (a title and a body, English
message ids translated to Simplified Chinese in this app's catalogue, with
named parameters), the channels it goes through when the person has chosen
nothing, whether it is about money or security (then the inbox cannot be
turned off), and whether it is marketing-like (then SMS waits out the quiet
hours, ``quiet_hours.py``)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import Audience, Channel

INBOX, SMS, WECHAT, EMAIL = Channel.INBOX, Channel.SMS, Channel.WECHAT, Channel.EMAIL


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy text: what the preferences page shows
    audience: str
    title: object  # lazy text with %(name)s parameters
    body: object
    defaults: frozenset[str]
    locked: bool = False  # money or security: the inbox always has it
    marketing: bool = False  # not urgent: no SMS in quiet hours

    def channels_allowed(self) -> list[str]:
        """What a person of this audience may choose (e-mail is for operators and suppliers)."""
        if self.audience in (Audience.OPERATOR, Audience.SUPPLIER):
            return [INBOX, SMS, WECHAT, EMAIL]
        return [INBOX, SMS, WECHAT]


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in [
        # buyers
        Kind(
            "order_paid",
            _("Order paid"),
            Audience.BUYER,
            _("Payment received for order %(order)s"),
            _("We received %(amount)s for order %(order)s. The supplier will ship it soon."),
            frozenset({INBOX, WECHAT}),
            locked=True,
        ),
        Kind(
            "order_shipped",
            _("Parcel shipped"),
            Audience.BUYER,
            _("Order %(order)s has shipped"),
            _("Your parcel of order %(order)s left with %(carrier)s, tracking number %(tracking)s."),
            frozenset({INBOX, WECHAT, SMS}),
        ),
        Kind(
            "order_completed",
            _("Order delivered and completed"),
            Audience.BUYER,
            _("Order %(order)s is complete"),
            _("Order %(order)s was delivered and is now complete. After-sales requests stay open for 7 days."),
            frozenset({INBOX, WECHAT}),
        ),
        Kind(
            "refund_decided",
            _("Refund request decided"),
            Audience.BUYER,
            _("Your refund request for order %(order)s: %(decision)s"),
            _("Your request to get %(amount)s back for order %(order)s was %(decision)s."),
            frozenset({INBOX, WECHAT, SMS}),
            locked=True,
        ),
        Kind(
            "refund_paid",
            _("Refund paid"),
            Audience.BUYER,
            _("%(amount)s refunded for order %(order)s"),
            _("%(amount)s for order %(order)s is on its way back to where you paid from."),
            frozenset({INBOX, WECHAT, SMS}),
            locked=True,
        ),
        # resellers
        Kind(
            "shop_order",
            _("New order in my shop"),
            Audience.RESELLER,
            _("New order %(order)s in your shop"),
            _("A customer paid %(amount)s for order %(order)s in your shop."),
            frozenset({INBOX, WECHAT}),
        ),
        Kind(
            "commission_earned",
            _("Commission earned"),
            Audience.RESELLER,
            _("You earned %(amount)s"),
            _(
                "Order %(order)s earned you %(amount)s in commission; "
                "it becomes withdrawable after the after-sales window."
            ),
            frozenset({INBOX, WECHAT}),
            locked=True,
        ),
        Kind(
            "commissions_settled",
            _("Commissions settled"),
            Audience.RESELLER,
            _("%(amount)s is now withdrawable"),
            _("%(count)s commissions worth %(amount)s were settled and can be withdrawn."),
            frozenset({INBOX, WECHAT}),
            locked=True,
        ),
        Kind(
            "withdrawal_paid",
            _("Withdrawal paid"),
            Audience.RESELLER,
            _("Withdrawal of %(amount)s paid"),
            _("Your withdrawal #%(withdrawal)s of %(amount)s was paid out."),
            frozenset({INBOX, WECHAT, SMS}),
            locked=True,
        ),
        Kind(
            "withdrawal_failed",
            _("Withdrawal failed or rejected"),
            Audience.RESELLER,
            _("Withdrawal of %(amount)s not paid"),
            _("Your withdrawal #%(withdrawal)s of %(amount)s was %(decision)s; the money is back in your balance."),
            frozenset({INBOX, WECHAT, SMS}),
            locked=True,
        ),
        Kind(
            "team_member",
            _("New team member"),
            Audience.RESELLER,
            _("%(member)s joined your team"),
            _("%(member)s joined your team with your invite code."),
            frozenset({INBOX}),
            marketing=True,
        ),
        Kind(
            "binding_expiring",
            _("Bound customers about to expire"),
            Audience.RESELLER,
            _("%(count)s bound customers expire soon"),
            _(
                "%(count)s customers bound to you stop counting as yours by %(until)s unless they visit "
                "through your link again. Share your shop with them."
            ),
            frozenset({INBOX, WECHAT}),
            marketing=True,
        ),
        Kind(
            "customer_reminder",
            _("Customer follow-up due"),
            Audience.RESELLER,
            _("Follow up with %(customer)s"),
            _("Your reminder for %(customer)s, due %(due)s: %(text)s"),
            frozenset({INBOX, WECHAT}),
            marketing=True,
        ),
        # group buying (拼团): the members of a group hear how it ended
        Kind(
            "group_succeeded",
            _("Group buy filled"),
            Audience.BUYER,
            _("Your group buy is complete: order %(order)s"),
            _("Your group filled. Order %(order)s will now be shipped."),
            frozenset({INBOX, WECHAT}),
        ),
        Kind(
            "group_failed",
            _("Group buy not filled, refunded"),
            Audience.BUYER,
            _("Your group buy did not fill: order %(order)s is refunded"),
            _(
                "Not enough friends joined your group in time, so order %(order)s is cancelled. What you paid "
                "goes back where it came from automatically."
            ),
            frozenset({INBOX, WECHAT, SMS}),
            locked=True,
        ),
        # bargaining (砍价): the starter hears each friend's help
        Kind(
            "bargain_helped",
            _("A friend helped your bargain"),
            Audience.BUYER,
            _("%(helper)s cut %(cut)s off your bargain"),
            _(
                "%(helper)s helped your bargain %(title)s: it is now %(price)s, %(left)s more helps to the lowest "
                "price."
            ),
            frozenset({INBOX, WECHAT}),
            marketing=True,
        ),
        # security: everyone
        Kind(
            "phone_changed",
            _("Mobile number changed"),
            Audience.BUYER,
            _("The mobile number of your account was changed"),
            _(
                "The mobile number of your account changed from %(old)s to %(new)s, and other devices were "
                "logged out. If this was not you, contact customer service at once."
            ),
            frozenset({INBOX, SMS}),
            locked=True,
        ),
        # suppliers
        Kind(
            "ship_digest",
            _("Orders to ship"),
            Audience.SUPPLIER,
            _("%(count)s orders to ship"),
            _("Paid and waiting for you to ship: %(orders)s."),
            frozenset({INBOX, EMAIL}),
        ),
        Kind(
            "refund_to_decide",
            _("Refund to decide"),
            Audience.SUPPLIER,
            _("A refund to decide for order %(order)s"),
            _("The buyer of order %(order)s asks for %(amount)s back: %(reason)s"),
            frozenset({INBOX, EMAIL}),
            locked=True,
        ),
        # operators
        Kind(
            "withdrawal_waiting",
            _("Withdrawal waiting"),
            Audience.OPERATOR,
            _("Withdrawal #%(withdrawal)s waits for a decision"),
            _("A reseller asks to withdraw %(amount)s (withdrawal #%(withdrawal)s)."),
            frozenset({INBOX, EMAIL}),
            locked=True,
        ),
        Kind(
            "payment_issue",
            _("Payment issue"),
            Audience.OPERATOR,
            _("Payment issue on order %(order)s"),
            _("Money arrived for order %(order)s that cannot take it; it is being sent back. Check the payments page."),
            frozenset({INBOX, EMAIL}),
            locked=True,
        ),
        Kind(
            "reconcile_break",
            _("Reconciliation break"),
            Audience.OPERATOR,
            _("Reconciliation found %(count)s broken checks"),
            _("Broken: %(checks)s. The money page lists what is wrong."),
            frozenset({INBOX, EMAIL}),
            locked=True,
        ),
        Kind(
            "event_parked",
            _("Event parked"),
            Audience.OPERATOR,
            _("An event is parked for %(consumer)s"),
            _("Event #%(event)s (%(type)s) failed %(attempts)s times in %(consumer)s and waits for an operator."),
            frozenset({INBOX, EMAIL}),
            locked=True,
        ),
    ]
}
