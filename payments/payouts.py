"""Paying resellers out through the real gateways: a ``PayoutProvider``
(``commissions.providers``) that pays each withdrawal to the account it
names (docs/payments.md, "Payouts").

- WeChat (微信零钱): WeChat Pay's merchant transfer (商家转账, the current
  API ``/v3/fund-app/mch-transfer/transfer-bills``, through ``wechatpayv3``'s
  ``mch_transfer_bills*``). A transfer usually waits for the payee to accept
  it in WeChat (``WAIT_USER_CONFIRM``, with a ``package_info`` the reseller's
  money page hands to WeChat): pending until then, cancelled by the sweep
  when nobody accepted it in time. At ¥2,000 and more WeChat requires the
  payee's real name, sent encrypted with the platform public key (the
  library does it and names the key in ``Wechatpay-Serial``). Its outcome
  comes by notification (``MCHTRANSFER.BILL.FINISHED``, verified and
  decrypted as a payment notification is) or by the sweep's query.
- Alipay (支付宝): 单笔转账 ``alipay.fund.trans.uni.transfer`` to a log-in
  id with the real name Alipay checks; synchronous, confirmed by
  ``alipay.fund.trans.common.query``.
- A bank card: nothing is sent; the payout waits (pending) until an operator
  pays it by hand and marks it paid with the bank's reference (admin).

Never twice: the provider's out-bill number (WeChat ``out_bill_no``, Alipay
``out_biz_no``) is the payout item's reference, which is made once per
withdrawal and kept; asked again (a worker died after sending, a retry, the
sweep), both providers answer with the first transfer.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta

from alipay.exceptions import AliPayException, AliPayValidationError
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from commissions.choices import PayoutAccountKind, PayoutItemOutcome
from commissions.models import PayoutItem
from commissions.providers import (
    PayoutAccountInfo,
    PayoutNotice,
    PayoutNoticeInvalid,
    PayoutProviderUnavailable,
    PayoutResult,
)
from orders.exceptions import PaymentProviderUnavailable, PaymentSignatureInvalid
from socialshop.json_input import JsonInputRefused
from socialshop.money import fen_to_yuan

from .alipay import CERTIFICATE, OK, alipay_client
from .wechatpay import WeChatPayProvider, wechatpay_client
from .wechatpay import _call as wechatpay_call

logger = logging.getLogger(__name__)

WECHAT_NAME_REQUIRED_FROM = 200_000  # fen: WeChat asks for the payee's real name from ¥2,000
WECHAT_CONFIRM_WINDOW = timedelta(hours=24)  # how long WeChat lets a payee accept a transfer
WECHAT_PENDING = ("ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING", "CANCELING")
WECHAT_FAILED = ("FAIL", "CANCELLED")
# WeChat's fail_reason codes, in the words the reseller reads on its money page
WECHAT_FAIL_REASONS = {
    "NAME_NOT_CORRECT": "收款人姓名与微信实名不一致",
    "REAL_NAME_CHECK_FAIL": "收款人微信未完成实名认证",
    "ACCOUNT_FROZEN": "收款微信账户已冻结",
    "OPENID_INVALID": "收款微信账户无效",
    "TRANSFER_QUOTA_EXCEED": "超出单日转账限额",
    "DAY_RECEIVED_QUOTA_EXCEED": "收款人超出单日收款限额",
    "CANCELLED": "收款人未在24小时内确认收款，转账已撤销",
}
# Alipay's sub_codes that mean "asked again later, it may go through": the outcome is unknown
ALIPAY_RETRY = ("SYSTEM_ERROR", "aop.SYSTEM_ERROR", "isp.unknow-error")


def _wechat(what: str, call, *args, **kwargs) -> tuple[int, dict]:
    try:  # the one place that reads the library's answers
        return wechatpay_call(what, call, *args, **kwargs)
    except PaymentProviderUnavailable as error:
        raise PayoutProviderUnavailable(f"wechatpay {what}: no verified answer") from error


def _bill_no(reference: str) -> str:
    """WeChat's out_bill_no and Alipay's out_biz_no: letters and digits only."""
    return reference.replace("-", "")


def _wechat_result(data: dict) -> PayoutResult:
    state, bill = str(data.get("state", "")), str(data.get("transfer_bill_no", ""))
    if state == "SUCCESS":
        return PayoutResult(True, bill)
    if state in WECHAT_FAILED:
        code = "CANCELLED" if state == "CANCELLED" else str(data.get("fail_reason", ""))
        return PayoutResult(False, bill, WECHAT_FAIL_REASONS.get(code, f"微信转账失败：{code or state}"))
    if state in WECHAT_PENDING:
        created = parse_datetime(str(data.get("create_time", ""))) or timezone.now()
        waiting = state == "WAIT_USER_CONFIRM"
        return PayoutResult(
            False,
            bill,
            pending=True,
            package_info=str(data.get("package_info", "")) if waiting else "",
            confirm_until=created + WECHAT_CONFIRM_WINDOW if waiting else None,
        )
    raise PayoutProviderUnavailable(f"wechatpay transfer: unknown state {state!r}")


def _alipay(what: str, method: str, biz: dict) -> dict:
    try:
        return alipay_client().server_api(method, biz_content=biz)
    except AliPayValidationError as error:
        raise PayoutProviderUnavailable(f"alipay {what}: answer's signature refused") from error
    except AliPayException as error:  # an unsigned error_response: the gateway refused our request
        raise PayoutProviderUnavailable(f"alipay {what}: refused ({error})") from error
    except (OSError, ValueError) as error:
        raise PayoutProviderUnavailable(f"alipay {what}: no answer ({type(error).__name__})") from error


class GatewayPayoutProvider:
    """WeChat Pay and Alipay transfers, and bank cards by hand (the module)."""

    needs_account = True

    def account_kinds(self) -> list[str]:
        kinds = [PayoutAccountKind.BANK]
        if settings.WECHATPAY_MCHID:
            kinds.append(PayoutAccountKind.WECHAT)
        if settings.ALIPAY_APP_ID and settings.ALIPAY_KEY_MODE == CERTIFICATE:  # Alipay refuses transfers otherwise
            kinds.append(PayoutAccountKind.ALIPAY)
        return kinds

    def payout_send(
        self, *, reference: str, reseller_id: int, amount: int, account: PayoutAccountInfo | None = None
    ) -> PayoutResult:
        if account is None:
            return PayoutResult(False, "", "未设置收款账户")
        if account.kind == PayoutAccountKind.WECHAT:
            return self._wechat_send(reference, amount, account)
        if account.kind == PayoutAccountKind.ALIPAY:
            return self._alipay_send(reference, amount, account)
        return PayoutResult(False, "", pending=True)  # a bank card: an operator pays it

    def payout_query(self, *, reference: str, account: PayoutAccountInfo | None = None) -> PayoutResult | None:
        if account is None or account.kind == PayoutAccountKind.BANK:
            return None
        if account.kind == PayoutAccountKind.WECHAT:
            code, data = _wechat("transfer query", wechatpay_client().mch_transfer_bills_query, _bill_no(reference))
            if code == 404 or data.get("code") == "NOT_FOUND":
                return None
            if code != 200:
                raise PayoutProviderUnavailable(f"wechatpay transfer query: {code} {data.get('code')}")
            return _wechat_result(data)
        answer = _alipay(
            "transfer query",
            "alipay.fund.trans.common.query",
            {"out_biz_no": _bill_no(reference), "product_code": "TRANS_ACCOUNT_NO_PWD", "biz_scene": "DIRECT_TRANSFER"},
        )
        if answer.get("code") != OK:
            if answer.get("sub_code") == "ORDER_NOT_EXIST":
                return None
            raise PayoutProviderUnavailable(f"alipay transfer query: {answer.get('sub_code')}")
        return self._alipay_result(answer)

    def payout_cancel(self, *, reference: str, account: PayoutAccountInfo | None = None) -> None:
        if account is None or account.kind != PayoutAccountKind.WECHAT:
            return  # only a WeChat transfer waits for its payee
        code, data = _wechat("transfer cancel", wechatpay_client().mch_transfer_bills_cancel, _bill_no(reference))
        if code != 200 and data.get("code") not in ("INVALID_REQUEST", "NOT_FOUND"):  # finished meanwhile
            raise PayoutProviderUnavailable(f"wechatpay transfer cancel: {code} {data.get('code')}")

    def payout_notice_parse(self, *, channel: str, body: bytes, headers: Mapping[str, str]) -> PayoutNotice:
        """WeChat's transfer notification: refused unless it passes every
        check a payment notification passes (``WeChatPayProvider._resource``:
        JSON limits, our platform key's id, a fresh timestamp, the signature,
        the APIv3 key's AES-GCM) and is for our merchant."""
        if channel != "wechat" or not settings.WECHATPAY_MCHID:
            raise PayoutNoticeInvalid("No such payout notification.")
        try:
            resource = WeChatPayProvider()._resource(body, headers)
        except PaymentSignatureInvalid as error:
            raise PayoutNoticeInvalid(str(error.message)) from error
        except JsonInputRefused:
            raise
        except ValueError as error:  # not JSON at all (or not UTF-8)
            raise PayoutNoticeInvalid("The notification is not JSON.") from error
        if str(resource.get("mch_id", "")) != settings.WECHATPAY_MCHID or not resource.get("out_bill_no"):
            raise PayoutNoticeInvalid("The notification is not for this merchant's transfers.")
        try:
            return PayoutNotice(reference=_reference(str(resource["out_bill_no"])), result=_wechat_result(resource))
        except (KeyError, PayoutProviderUnavailable) as error:
            raise PayoutNoticeInvalid("The notification is not what WeChat Pay sends.") from error

    def payouts_made(self) -> Iterable[str]:
        """What the providers say they paid, of the payouts we record as
        unsent or failed (sent in the last 30 days): asked one by one, as
        neither provider lists transfers. A reference in here is a break."""
        since = timezone.now() - timedelta(days=30)
        # unsent (a worker died after sending?) or failed (money returned: paid there too would be a loss);
        # pending ones are the sweep's to settle, not breaks
        unpaid = (
            PayoutItem.objects.filter(outcome__in=[PayoutItemOutcome.UNSENT, PayoutItemOutcome.FAILED])
            .filter(batch__created_at__gte=since, claimed_until__isnull=False)
            .select_related("withdrawal__payout_account")
        )
        for item in unpaid:
            account = item.withdrawal.payout_account
            if account is None:
                continue
            info = PayoutAccountInfo(kind=account.kind, account=account.account, real_name=account.real_name)
            result = self.payout_query(reference=item.reference, account=info)
            if result is not None and result.succeeded:
                yield item.reference

    # --- sending ------------------------------------------------------------------------

    def _wechat_send(self, reference: str, amount: int, account: PayoutAccountInfo) -> PayoutResult:
        user_name = None
        if amount >= WECHAT_NAME_REQUIRED_FROM:
            if not account.real_name:
                return PayoutResult(False, "", "单笔¥2,000及以上须填写收款人真实姓名")
            user_name = account.real_name
        notify = settings.PAYOUT_NOTIFY_BASE_URL.rstrip("/") + reverse("commissions:payout_notify", args=["wechat"])
        code, data = _wechat(
            "transfer",
            wechatpay_client().mch_transfer_bills,
            out_bill_no=_bill_no(reference),
            transfer_scene_id=settings.WECHATPAY_TRANSFER_SCENE_ID,
            openid=account.account,
            transfer_amount=amount,
            transfer_remark="佣金提现",
            user_name=user_name,
            transfer_scene_report_infos=[
                {"info_type": "岗位类型", "info_content": "分销推广员"},
                {"info_type": "报酬说明", "info_content": "推广佣金提现"},
            ],
            notify_url=notify,
        )
        if code == 200:
            return _wechat_result(data)
        if code == 400 and data.get("code") in ("PARAM_ERROR", "INVALID_REQUEST", "NOT_ENOUGH"):
            # refused before any money moved: what WeChat says reaches the reseller
            return PayoutResult(False, "", f"微信转账失败：{data.get('message') or data.get('code')}"[:200])
        raise PayoutProviderUnavailable(f"wechatpay transfer: {code} {data.get('code')}")

    def _alipay_send(self, reference: str, amount: int, account: PayoutAccountInfo) -> PayoutResult:
        answer = _alipay(
            "transfer",
            "alipay.fund.trans.uni.transfer",
            {
                "out_biz_no": _bill_no(reference),
                "trans_amount": str(fen_to_yuan(amount)),
                "product_code": "TRANS_ACCOUNT_NO_PWD",
                "biz_scene": "DIRECT_TRANSFER",
                "order_title": "佣金提现",
                "payee_info": {
                    "identity": account.account,
                    "identity_type": "ALIPAY_LOGON_ID",
                    "name": account.real_name,
                },
            },
        )
        if answer.get("code") == OK:
            return self._alipay_result(answer)
        if answer.get("code") == "20000" or answer.get("sub_code") in ALIPAY_RETRY:
            raise PayoutProviderUnavailable(f"alipay transfer: {answer.get('sub_code')}")
        return PayoutResult(False, "", f"支付宝转账失败：{answer.get('sub_msg') or answer.get('sub_code')}"[:200])

    @staticmethod
    def _alipay_result(answer: dict) -> PayoutResult:
        status, order = str(answer.get("status", "")), str(answer.get("order_id", ""))
        if status == "SUCCESS":
            return PayoutResult(True, order)
        if status in ("FAIL", "CLOSED", "REFUND"):
            return PayoutResult(False, order, f"支付宝转账失败：{answer.get('fail_reason') or status}"[:200])
        return PayoutResult(False, order, pending=True)  # DEALING, WAIT_PAY: the sweep asks again


def _reference(bill_no: str) -> str:
    """Our payout reference for an out-bill number: ``WD<id>-<12 hex>``
    (``payout_batch_create``) less its dash, put back."""
    return f"{bill_no[:-12]}-{bill_no[-12:]}"
