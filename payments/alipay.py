"""Alipay (支付宝), through ``python-alipay-sdk`` (docs/payments.md,
docs/decisions.md says why this library).

Two ways to pay: 手机网站支付 (``alipay.trade.wap.pay``, a phone browser
outside WeChat, whose browser blocks Alipay) and 电脑网站支付
(``alipay.trade.page.pay``, a desktop). Both send the buyer to Alipay's
gateway with a request we sign (RSA2, our app's private key); Alipay sends the
buyer back to our return URL (its parameters prove nothing: we query) and
posts an asynchronous notification.

What is verified where:

- every synchronous answer (query, close, refund, bill URL) carries Alipay's
  RSA2 signature over the response object; the library checks it with
  Alipay's public key: ``ALIPAY_PUBLIC_KEY_FILE`` in public-key mode (公钥模式),
  the key inside Alipay's public-key certificate ``ALIPAY_CERT_FILE`` in
  certificate mode (公钥证书模式, ``ALIPAY_KEY_MODE=certificate``), where
  every request also names our app's certificate and Alipay's root
  (``app_cert_sn``, ``alipay_root_cert_sn``). Alipay pays single transfers
  (单笔转账, payments/payouts.py) only to an app in certificate mode;
- a notification is refused before anything is applied unless it is a small
  form body, every field once, signed RSA2 by Alipay's key over its sorted
  fields (``sign`` and ``sign_type`` left out), and for our app id; then
  ``payment_notice_apply`` applies it with the sandbox's rules. Alipay
  retries a notification for 25 hours, so a late one is normal: replays are
  answered by the idempotency, not by a clock;
- refunds are synchronous (``alipay.trade.refund``), confirmed by
  ``alipay.trade.fastpay.refund.query`` when the answer says no money moved.

The library's gateway is the client's ``_gateway`` (only its ``debug`` flag
picks Alipay's sandbox): ``ALIPAY_GATEWAY`` is written there, as for WeChat.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from urllib.error import URLError
from urllib.parse import parse_qsl

import requests
from alipay import AliPay, AliPayConfig, DCAliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from orders.exceptions import PaymentProviderUnavailable, PaymentSignatureInvalid
from orders.providers import BillLine, PayerClient, PaymentNotice, RefundNotice, RefundResult
from socialshop.money import InvalidAmount, fen_to_yuan, yuan_to_fen

from .keys import key_file_read, key_files_generation

logger = logging.getLogger(__name__)

WAP, PAGE = "alipay_wap", "alipay_page"
_PRODUCT = {WAP: ("alipay.trade.wap.pay", "QUICK_WAP_PAY"), PAGE: ("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY")}
NOTIFY_MAX_BYTES = 16 * 1024
SUCCEEDED = ("TRADE_SUCCESS", "TRADE_FINISHED")
OK = "10000"


CERTIFICATE = "certificate"
CERTIFICATE_FILES = ("ALIPAY_APP_CERT_FILE", "ALIPAY_CERT_FILE", "ALIPAY_ROOT_CERT_FILE")  # the SDK's order


def alipay_client() -> AliPay | DCAliPay:
    """The library's client from the settings, pointed at ``ALIPAY_GATEWAY``; one per configuration and
    process (loading the keys is the slow part). Every call to Alipay (payments, refunds, queries, bills
    and transfers) goes through it: ``ALIPAY_KEY_MODE`` picks the mode for all of them."""
    certificates = (
        tuple((setting, getattr(settings, setting)) for setting in CERTIFICATE_FILES)
        if settings.ALIPAY_KEY_MODE == CERTIFICATE
        else None
    )
    return _client(
        settings.ALIPAY_APP_ID,
        settings.ALIPAY_APP_PRIVATE_KEY_FILE,
        None if certificates else settings.ALIPAY_PUBLIC_KEY_FILE,
        certificates,
        settings.ALIPAY_GATEWAY,
        settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS,
        key_files_generation(),
    )


@lru_cache(maxsize=4)
def _client(app_id, private_key_file, public_key_file, certificates, gateway, timeout, _):
    private_key = key_file_read("ALIPAY_APP_PRIVATE_KEY_FILE", private_key_file)
    if certificates:
        app_cert, alipay_cert, root_cert = (_certificate_read(setting, path) for setting, path in certificates)
        client = DCAliPay(
            appid=app_id,
            app_private_key_string=private_key,
            app_public_key_cert_string=app_cert,
            alipay_public_key_cert_string=alipay_cert,
            alipay_root_cert_string=root_cert,
            sign_type="RSA2",
        )
        client._config = AliPayConfig(timeout=timeout)  # DCAliPay takes no config argument
    else:
        client = AliPay(
            appid=app_id,
            app_private_key_string=private_key,
            alipay_public_key_string=key_file_read("ALIPAY_PUBLIC_KEY_FILE", public_key_file),
            sign_type="RSA2",
            config=AliPayConfig(timeout=timeout),
        )
    client._gateway = gateway
    return client


def _certificate_read(setting: str, path: str) -> str:
    """A certificate file's PEM text; ImproperlyConfigured naming the setting (never the text) when the
    file holds no certificate."""
    text = key_file_read(setting, path)
    try:
        x509.load_pem_x509_certificate(text.encode())
    except ValueError:
        raise ImproperlyConfigured(f"{setting}: the file holds no PEM certificate.") from None
    return text


def _call(what: str, call, *args, **kwargs) -> dict:
    """One API call: Alipay's verified answer object (a business refusal is an answer, with its
    ``code`` and ``sub_code``). PaymentProviderUnavailable when Alipay does not answer, or its answer's
    signature does not verify."""
    try:
        return call(*args, **kwargs)
    except AliPayValidationError as error:
        logger.error("alipay %s: answer's signature refused", what)
        raise PaymentProviderUnavailable() from error
    except AliPayException as error:  # an unsigned error_response: a gateway-level refusal (our signature…)
        logger.warning("alipay %s: refused (%s)", what, error)
        return {"code": "40000", "sub_code": "", "sub_msg": ""}
    except (URLError, OSError, ValueError) as error:
        logger.warning("alipay %s: no answer (%s)", what, type(error).__name__)
        raise PaymentProviderUnavailable() from error


def _yuan(amount: int) -> str:
    return str(fen_to_yuan(amount))


def _beijing(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


class AlipayProvider:
    name = "alipay"
    notice_ack = b"success"  # Alipay keeps notifying until it reads exactly this
    all_methods = (WAP, PAGE)

    def redirect_origins(self) -> list[str]:
        """Where the cashier sends a buyer: Alipay's gateway."""
        scheme, _, rest = settings.ALIPAY_GATEWAY.partition("://")
        return [f"{scheme}://{rest.split('/', 1)[0]}"]

    def methods(self, *, client: PayerClient) -> list[str]:
        if client.in_wechat:  # WeChat's browser does not open Alipay
            return []
        return [WAP] if client.mobile else [PAGE]

    def payment_create(
        self,
        *,
        reference,
        amount,
        currency,
        subject,
        notify_url,
        return_url,
        expires_at,
        method: str = WAP,
        client: PayerClient | None = None,
    ) -> str:
        api, product = _PRODUCT[method]
        signed = alipay_client().client_api(
            api,
            biz_content={
                "subject": subject[:256],
                "out_trade_no": reference,
                "total_amount": _yuan(amount),
                "product_code": product,
                "time_expire": _beijing(expires_at),
            },
            return_url=return_url,
            notify_url=notify_url,
        )
        return f"{settings.ALIPAY_GATEWAY}?{signed}"

    def notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        if len(body) > NOTIFY_MAX_BYTES:
            raise PaymentSignatureInvalid()
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True, max_num_fields=80)
        except (UnicodeDecodeError, ValueError) as error:
            raise PaymentSignatureInvalid() from error
        data = dict(pairs)
        if len(data) != len(pairs) or "sign" not in data:  # a field twice: which one was signed?
            raise PaymentSignatureInvalid()
        signature = data.pop("sign")
        try:
            verified = alipay_client().verify(dict(data), signature)
        except (AliPayException, ValueError, TypeError):
            verified = False
        if not verified or data.get("app_id") != settings.ALIPAY_APP_ID:
            raise PaymentSignatureInvalid()
        try:
            return _trade_notice(data)
        except (KeyError, InvalidAmount) as error:
            raise PaymentSignatureInvalid("The notification is not what Alipay sends.") from error

    def payment_query(self, *, reference: str) -> PaymentNotice | None:
        answer = _call("query", alipay_client().api_alipay_trade_query, out_trade_no=reference)
        if answer.get("code") != OK or answer.get("trade_status") not in SUCCEEDED:
            return None
        return _trade_notice(answer)

    def payment_close(self, *, reference: str) -> bool:
        answer = _call("close", alipay_client().api_alipay_trade_close, out_trade_no=reference)
        if answer.get("code") == OK or answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return True  # closed, or never opened (the buyer never reached Alipay)
        if answer.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":
            return False  # paid meanwhile: the notification brings the money
        raise PaymentProviderUnavailable()

    def refund_create(self, *, payment_reference: str, refund_reference: str, amount: int) -> RefundResult:
        answer = _call(
            "refund",
            alipay_client().api_alipay_trade_refund,
            refund_amount=_yuan(amount),
            out_trade_no=payment_reference,
            out_request_no=refund_reference,
        )
        if answer.get("code") != OK:
            return RefundResult(False, "", str(answer.get("sub_msg") or answer.get("sub_code") or "退款失败")[:200])
        if answer.get("fund_change") == "Y":
            return RefundResult(True, str(answer.get("trade_no", "")))
        # asked again with the same request number, Alipay answers fund_change N: ask what happened
        return self.refund_query(payment_reference=payment_reference, refund_reference=refund_reference)

    def refund_query(self, *, payment_reference: str, refund_reference: str) -> RefundResult:
        answer = _call(
            "refund query",
            alipay_client().api_alipay_trade_fastpay_refund_query,
            out_request_no=refund_reference,
            out_trade_no=payment_reference,
        )
        if answer.get("code") == OK and answer.get("refund_status") == "REFUND_SUCCESS":
            return RefundResult(True, str(answer.get("trade_no", "")))
        return RefundResult(False, "", "退款未成功")

    def refund_notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> RefundNotice:
        raise PaymentSignatureInvalid("Alipay refunds are answered at once; there is no refund notification.")

    def trade_bill(self, *, bill_date: date) -> list[BillLine]:
        answer = _call(
            "bill",
            alipay_client().server_api,
            "alipay.data.dataservice.bill.downloadurl.query",
            biz_content={"bill_type": "trade", "bill_date": bill_date.isoformat()},
        )
        if answer.get("code") != OK:
            if answer.get("sub_code") == "isp.bill_not_exist":
                return []
            raise PaymentProviderUnavailable()
        try:
            response = requests.get(answer["bill_download_url"], timeout=settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS)
            response.raise_for_status()
        except (requests.RequestException, KeyError) as error:
            raise PaymentProviderUnavailable() from error
        return alipay_bill_lines(response.content)


def _trade_notice(data: Mapping[str, str]) -> PaymentNotice:
    paid = data.get("gmt_payment") or data.get("send_pay_date")
    return PaymentNotice(
        reference=str(data["out_trade_no"]),
        transaction_id=str(data.get("trade_no", "")),
        succeeded=data["trade_status"] in SUCCEEDED,
        amount=yuan_to_fen(str(data["total_amount"])),
        currency=str(data.get("trans_currency") or "CNY"),
        paid_at=timezone.make_aware(datetime.strptime(paid, "%Y-%m-%d %H:%M:%S")) if paid else None,
    )


def alipay_bill_lines(archive: bytes) -> list[BillLine]:
    """Read a trade bill: a zip of GBK CSV files, of which the 业务明细 (not
    its 汇总) lists each trade and refund between ``#`` comment lines."""
    lines = []
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        for name in bundle.namelist():
            if "业务明细" not in name or "汇总" in name:
                continue
            text = bundle.read(name).decode("gb18030")
            rows = [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#")]
            header = [field.strip() for field in rows[0]]
            column = {field: index for index, field in enumerate(header)}
            for row in rows[1:]:
                fields = [field.strip() for field in row]
                amount = abs(yuan_to_fen(fields[column["订单金额（元）"]], signed=True))
                if fields[column["业务类型"]] == "交易":
                    lines.append(
                        BillLine("payment", fields[column["商户订单号"]], fields[column["支付宝交易号"]], amount)
                    )
                elif fields[column["业务类型"]] == "退款":
                    lines.append(
                        BillLine("refund", fields[column["退款批次号/请求号"]], fields[column["支付宝交易号"]], amount)
                    )
    return lines
