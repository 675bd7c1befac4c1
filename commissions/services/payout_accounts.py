"""Payout accounts (收款账户): where a reseller's withdrawals are paid.

The only writer of ``PayoutAccount``. A WeChat account is the openid the
reseller's log-in through the official account stored (no openid: no WeChat
account); Alipay needs the account and the real name Alipay checks; a bank
card its number, bank and name. The kinds offered are those the payout
provider in use can pay (``PayoutProvider.account_kinds``).
"""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_wechat_openid
from distribution.models import Reseller
from socialshop.errors import NotFound

from ..choices import PayoutAccountKind
from ..exceptions import NoPayoutAccount, PayoutAccountRefused
from ..models import PayoutAccount
from ..providers import PayoutAccountInfo, payout_provider

REAL_NAME = re.compile(r"[\u4e00-\u9fff·•A-Za-z .]{2,50}")
ALIPAY_LOGIN = re.compile(r"1\d{10}|[^@\s]{1,64}@[^@\s]{1,64}\.[A-Za-z]{2,}")
CARD_NUMBER = re.compile(r"\d{12,19}")
WECHAT_NAME_REQUIRED_FROM = 200_000  # fen: WeChat Pay wants the payee's real name for a transfer of ¥2,000 or more


def payout_account_kinds(*, reseller: Reseller) -> list[str]:
    """The kinds this reseller may add now: those the provider pays, and
    WeChat only with an openid."""
    kinds = payout_provider().account_kinds()
    if PayoutAccountKind.WECHAT in kinds and not user_wechat_openid(reseller.user):
        kinds = [kind for kind in kinds if kind != PayoutAccountKind.WECHAT]
    return [kind for kind in PayoutAccountKind.values if kind in kinds]


def _refuse(field: str, message: str):
    raise PayoutAccountRefused(message, fields={field: [message]})


def payout_account_add(
    *, reseller: Reseller, kind: str, account: str = "", real_name: str = "", bank_name: str = ""
) -> PayoutAccount:
    """Add a payout account, checked as its provider will check it. An
    account already there (same kind and number) is answered, not doubled."""
    real_name, account, bank_name = real_name.strip(), re.sub(r"\s", "", account), bank_name.strip()
    if kind not in payout_account_kinds(reseller=reseller):
        if kind == PayoutAccountKind.WECHAT:
            _refuse("kind", _("Log in through WeChat first: WeChat pays the WeChat account you log in with."))
        _refuse("kind", _("This kind of account cannot be paid here."))
    if kind == PayoutAccountKind.WECHAT:
        account = user_wechat_openid(reseller.user)
        if real_name and not REAL_NAME.fullmatch(real_name):
            _refuse("real_name", _("Enter your name as on your ID card."))
    else:
        if not REAL_NAME.fullmatch(real_name):
            _refuse("real_name", _("Enter your name as on your ID card."))
        if kind == PayoutAccountKind.ALIPAY and not ALIPAY_LOGIN.fullmatch(account):
            _refuse("account", _("Enter the phone number or e-mail you log in to Alipay with."))
        if kind == PayoutAccountKind.BANK:
            if not CARD_NUMBER.fullmatch(account):
                _refuse("account", _("Enter the card number: 12 to 19 digits."))
            if not 2 <= len(bank_name) <= 50:
                _refuse("bank_name", _("Enter the bank, e.g. 中国工商银行."))
    try:
        with transaction.atomic():
            return PayoutAccount.objects.create(
                reseller=reseller, kind=kind, account=account, real_name=real_name, bank_name=bank_name
            )
    except IntegrityError:  # added before (or twice at once): the one there
        found = PayoutAccount.objects.get(reseller=reseller, kind=kind, account=account, removed_at__isnull=True)
        if real_name and found.real_name != real_name or bank_name and found.bank_name != bank_name:
            PayoutAccount.objects.filter(pk=found.pk).update(real_name=real_name, bank_name=bank_name)
            found.refresh_from_db()
        return found


def payout_account_remove(*, reseller: Reseller, account_id: int) -> None:
    """Remove an account from the reseller's list (withdrawals made to it keep it)."""
    removed = PayoutAccount.objects.filter(pk=account_id, reseller=reseller, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    if not removed:
        raise NotFound()


def payout_account_for_withdrawal(
    *, reseller: Reseller, account_id: int | None, amount: int = 0
) -> PayoutAccount | None:
    """The account a withdrawal of ``amount`` is paid to: the one named (the
    reseller's, not removed, a kind the provider pays), or its latest.
    NoPayoutAccount when there is none and the provider needs one (the
    sandbox does not), or when WeChat would need the real name it lacks."""
    provider = payout_provider()
    usable = PayoutAccount.objects.filter(reseller=reseller, removed_at__isnull=True, kind__in=provider.account_kinds())
    if account_id is not None:
        chosen = usable.filter(pk=account_id).first()
        if chosen is None:
            raise NoPayoutAccount(
                _("Choose one of your payout accounts."), fields={"payout_account": [_("Not one of yours.")]}
            )
    else:
        chosen = usable.first()
    if chosen is None and provider.needs_account:
        raise NoPayoutAccount(fields={"payout_account": [_("Add a payout account before withdrawing.")]})
    if (
        chosen is not None
        and chosen.kind == PayoutAccountKind.WECHAT
        and not chosen.real_name
        and amount >= WECHAT_NAME_REQUIRED_FROM
    ):
        message = _("WeChat asks for your real name for ¥2,000 or more: add it to your WeChat payout account.")
        raise NoPayoutAccount(message, fields={"payout_account": [message]})
    return chosen


def payout_account_info(account: PayoutAccount | None) -> PayoutAccountInfo | None:
    if account is None:
        return None
    return PayoutAccountInfo(kind=account.kind, account=account.account, real_name=account.real_name)
