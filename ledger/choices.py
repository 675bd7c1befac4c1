from django.db import models
from django.utils.translation import gettext_lazy as _


class OwnerKind(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    RESELLER = "reseller", _("Reseller")
    SUPPLIER = "supplier", _("Supplier")


class AccountKind(models.TextChoices):
    # a reseller's money (what the platform owes it)
    RESELLER_FROZEN = "reseller_frozen", _("Frozen commissions")
    RESELLER_WITHDRAWABLE = "reseller_withdrawable", _("Withdrawable")
    RESELLER_WITHDRAWAL_PENDING = "reseller_withdrawal_pending", _("Withdrawal pending")
    # a supplier's money
    SUPPLIER_PAYABLE = "supplier_payable", _("Payable to supplier")
    # the platform's own
    PLATFORM_PAYMENT_CLEARING = "platform_payment_clearing", _("Payments received, at the provider")
    PLATFORM_REVENUE = "platform_revenue", _("Revenue")
    PLATFORM_REFUNDS = "platform_refunds", _("Refunds")
    PLATFORM_COMMISSION_EXPENSE = "platform_commission_expense", _("Commission expense")
    PLATFORM_COST_OF_GOODS = "platform_cost_of_goods", _("Cost of goods (owed to suppliers)")
    PLATFORM_PAYOUT_CLEARING = "platform_payout_clearing", _("Payouts sent, clearing")
    PLATFORM_TAX_PAYABLE = "platform_tax_payable", _("Income tax withheld, payable")
    # coupons: what each funder gave off orders (docs/coupons.md), less what refunds gave back
    PLATFORM_COUPON_DISCOUNT = "platform_coupon_discount", _("Coupon discounts funded by the platform")
    SUPPLIER_COUPON_DISCOUNT = "supplier_coupon_discount", _("Coupon discounts funded by the supplier")
    RESELLER_COUPON_DISCOUNT = "reseller_coupon_discount", _("Coupon discounts funded by the reseller")


class NormalSide(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


# Which side increases each kind of account, and whose it is. Liabilities
# (what the platform owes) and revenue grow with credits; assets and
# expenses with debits. An account's balance is shown in its normal side,
# so a reseller's withdrawable balance is positive when it has money.
ACCOUNT_KINDS: dict[str, tuple[str, str]] = {
    AccountKind.RESELLER_FROZEN: (OwnerKind.RESELLER, NormalSide.CREDIT),
    AccountKind.RESELLER_WITHDRAWABLE: (OwnerKind.RESELLER, NormalSide.CREDIT),
    AccountKind.RESELLER_WITHDRAWAL_PENDING: (OwnerKind.RESELLER, NormalSide.CREDIT),
    AccountKind.SUPPLIER_PAYABLE: (OwnerKind.SUPPLIER, NormalSide.CREDIT),
    AccountKind.PLATFORM_PAYMENT_CLEARING: (OwnerKind.PLATFORM, NormalSide.DEBIT),
    AccountKind.PLATFORM_REVENUE: (OwnerKind.PLATFORM, NormalSide.CREDIT),
    AccountKind.PLATFORM_REFUNDS: (OwnerKind.PLATFORM, NormalSide.DEBIT),
    AccountKind.PLATFORM_COMMISSION_EXPENSE: (OwnerKind.PLATFORM, NormalSide.DEBIT),
    AccountKind.PLATFORM_COST_OF_GOODS: (OwnerKind.PLATFORM, NormalSide.DEBIT),
    AccountKind.PLATFORM_PAYOUT_CLEARING: (OwnerKind.PLATFORM, NormalSide.CREDIT),
    AccountKind.PLATFORM_TAX_PAYABLE: (OwnerKind.PLATFORM, NormalSide.CREDIT),
    # coupons: debit-normal, each the discounts its funder gave (an expense of the platform, an amount
    # the supplier or reseller owes the platform for its coupons)
    AccountKind.PLATFORM_COUPON_DISCOUNT: (OwnerKind.PLATFORM, NormalSide.DEBIT),
    AccountKind.SUPPLIER_COUPON_DISCOUNT: (OwnerKind.SUPPLIER, NormalSide.DEBIT),
    AccountKind.RESELLER_COUPON_DISCOUNT: (OwnerKind.RESELLER, NormalSide.DEBIT),
}
