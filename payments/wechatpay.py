"""WeChat Pay API v3 (微信支付), through ``wechatpayv3`` (docs/payments.md).

Three ways to pay: H5 (a phone browser outside WeChat: WeChat's page opens
the WeChat app, then comes back to our return URL), JSAPI (inside WeChat's
own browser, for a buyer whose openid we know: the page hands a signed
prepay to ``WeixinJSBridge``) and Native (a desktop: the page draws the
``code_url`` as a QR the buyer scans with WeChat).

What is verified where:

- every answer of the API is signed by WeChat Pay; the library checks it with
  the platform public key (``WECHATPAY_PUBLIC_KEY_FILE``) and refuses it
  otherwise (we treat that as the gateway being unavailable);
- a notification (payment or refund) is refused before anything is applied
  unless: its body is within the JSON limits, its ``Wechatpay-Serial`` is our
  platform key's id, its ``Wechatpay-Timestamp`` is within five minutes of
  now (a replay of an old one is refused), the RSA-SHA256 signature over
  ``timestamp\\nnonce\\nbody\\n`` verifies, and its resource decrypts with the
  APIv3 key (AES-256-GCM: a body encrypted with another key is refused);
- then ``orders.services.payments.payment_notice_apply`` applies it with the
  sandbox's rules: amount and currency checked, exactly once, a payment for a
  cancelled order sent back.

``wechatpayv3`` has no setting for its host: ``WECHATPAY_API_BASE`` is
written to the client's ``_core._gate_way`` (tests point it at the local
fake, ``sandbox/fakes/wechatpay.py``); ``test_the_library_still_has_its_gateway``
fails loudly if an upgrade renames it.
"""

import csv
import gzip
import hashlib
import io
import json
import logging
import time
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import quote

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from wechatpayv3 import WeChatPay, WeChatPayType

from orders.exceptions import PaymentProviderUnavailable, PaymentSignatureInvalid
from orders.models import PaymentSession
from orders.providers import BillLine, PayerClient, PaymentNotice, RefundNotice, RefundResult
from socialshop.json_input import json_input_parse
from socialshop.money import yuan_to_fen

from .keys import key_file_read, key_files_generation

logger = logging.getLogger(__name__)

NOTIFY_HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)
# how far a notification's timestamp may be from now (WeChat Pay's guidance: five minutes)
NOTIFY_MAX_SKEW_SECONDS = 300
H5, JSAPI, NATIVE = "wechat_h5", "wechat_jsapi", "wechat_native"
_TYPES = {H5: WeChatPayType.H5, JSAPI: WeChatPayType.JSAPI, NATIVE: WeChatPayType.NATIVE}


def wechatpay_client() -> WeChatPay:
    """The library's client, configured from the settings, pointed at ``WECHATPAY_API_BASE``; one per
    configuration and process (loading an RSA private key takes far longer than using it)."""
    return _client(
        settings.WECHATPAY_MCHID,
        settings.WECHATPAY_APPID,
        settings.WECHATPAY_CERT_SERIAL_NO,
        settings.WECHATPAY_PRIVATE_KEY_FILE,
        settings.WECHATPAY_APIV3_KEY_FILE,
        settings.WECHATPAY_PUBLIC_KEY_FILE,
        settings.WECHATPAY_PUBLIC_KEY_ID,
        settings.WECHATPAY_API_BASE,
        settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS,
        key_files_generation(),
    )


@lru_cache(maxsize=4)
def _client(
    mchid, appid, serial_no, private_key_file, apiv3_key_file, public_key_file, public_key_id, base, timeout, _
):
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=mchid,
        private_key=key_file_read("WECHATPAY_PRIVATE_KEY_FILE", private_key_file),
        cert_serial_no=serial_no,
        appid=appid,
        apiv3_key=key_file_read("WECHATPAY_APIV3_KEY_FILE", apiv3_key_file),
        public_key=key_file_read("WECHATPAY_PUBLIC_KEY_FILE", public_key_file),
        public_key_id=public_key_id,
        timeout=(5, timeout),
    )
    client._core._gate_way = base.rstrip("/")
    return client


def _call(what: str, call, *args, **kwargs) -> tuple[int, dict]:
    """One API call: (status, JSON answer). PaymentProviderUnavailable when
    WeChat Pay does not answer or its answer's signature does not verify."""
    try:
        code, text = call(*args, **kwargs)
    except requests.RequestException as error:
        logger.warning("wechatpay %s: no answer (%s)", what, type(error).__name__)
        raise PaymentProviderUnavailable() from error
    except Exception as error:  # the library raises bare Exception for an answer it cannot verify
        logger.error("wechatpay %s: answer refused (%s)", what, error)
        raise PaymentProviderUnavailable() from error
    if code >= 500:
        logger.warning("wechatpay %s: %s", what, code)
        raise PaymentProviderUnavailable()
    try:
        data = json.loads(text) if text else {}
    except (TypeError, ValueError):
        data = {}
    return code, data if isinstance(data, dict) else {}


def _beijing(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


class WeChatPayProvider:
    name = "wechat"
    notice_ack = None  # 200 with our JSON: WeChat Pay reads the status only
    all_methods = (JSAPI, H5, NATIVE)

    def redirect_origins(self) -> list[str]:
        """Where the cashier sends a buyer: WeChat's H5 page (wx.tenpay.com; the API's host in tests)."""
        return sorted({"https://wx.tenpay.com", _origin(settings.WECHATPAY_API_BASE)})

    def methods(self, *, client: PayerClient) -> list[str]:
        if client.in_wechat:
            return [JSAPI] if client.openid else []
        return [H5] if client.mobile else [NATIVE]

    # --- paying ---------------------------------------------------------------------

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
        method: str = NATIVE,
        client: PayerClient | None = None,
    ) -> str:
        client = client or PayerClient()
        wxpay = wechatpay_client()
        extra = {}
        if method == H5:
            h5_info = {"type": "Wap"}
            if settings.WECHATPAY_H5_APP_NAME:
                h5_info["app_name"] = settings.WECHATPAY_H5_APP_NAME
            extra["scene_info"] = {"payer_client_ip": client.ip or "127.0.0.1", "h5_info": h5_info}
        elif method == JSAPI:
            extra["payer"] = {"openid": client.openid}
        code, data = _call(
            "pay",
            wxpay.pay,
            description=subject[:127],
            out_trade_no=reference,
            amount={"total": amount, "currency": currency},
            time_expire=_beijing(expires_at),
            notify_url=notify_url,
            pay_type=_TYPES[method],
            **extra,
        )
        if code != 200:
            logger.warning("wechatpay pay %s refused: %s", reference, data.get("code"))
            raise PaymentProviderUnavailable()
        if method == H5:
            # WeChat's page comes back to redirect_url once the WeChat app is done (paid or not)
            return f"{data['h5_url']}&redirect_url={quote(return_url, safe='')}"
        if method == JSAPI:
            return data["prepay_id"]
        return data["code_url"]

    def jsapi_invoke(self, *, prepay_id: str) -> dict[str, str]:
        """What the JSAPI page hands to ``WeixinJSBridge.invoke('getBrandWCPayRequest', …)``, signed with
        our merchant key."""
        wxpay = wechatpay_client()
        timestamp, nonce = str(int(time.time())), hashlib.sha256(prepay_id.encode()).hexdigest()[:32]
        package = f"prepay_id={prepay_id}"
        return {
            "appId": settings.WECHATPAY_APPID,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": wxpay.sign([settings.WECHATPAY_APPID, timestamp, nonce, package]),
        }

    def _resource(self, body: bytes, headers: Mapping[str, str]) -> dict:
        """A notification's decrypted resource, or PaymentSignatureInvalid (see the module)."""
        try:
            json_input_parse(body)  # the limits first: no RSA or AES on a body we would not read
        except ValueError:  # not JSON at all (nor UTF-8): not a notification WeChat signed
            raise PaymentSignatureInvalid() from None
        signed = {name: headers.get(name, "") for name in NOTIFY_HEADERS}
        if not settings.WECHATPAY_PUBLIC_KEY_ID or signed["Wechatpay-Serial"] != settings.WECHATPAY_PUBLIC_KEY_ID:
            # another key's id: the library would go and fetch certificates for it
            raise PaymentSignatureInvalid()
        try:
            stamped = int(signed["Wechatpay-Timestamp"])
        except ValueError:
            raise PaymentSignatureInvalid() from None
        if abs(time.time() - stamped) > NOTIFY_MAX_SKEW_SECONDS:
            raise PaymentSignatureInvalid()
        try:
            data = wechatpay_client().callback(signed, body)
        except Exception as error:  # an algorithm it does not know, a resource it cannot read
            raise PaymentSignatureInvalid() from error
        if not data or not isinstance(data.get("resource"), dict):
            raise PaymentSignatureInvalid()  # a bad signature, or not decrypted by our APIv3 key
        resource = data["resource"]
        if str(resource.get("mchid", settings.WECHATPAY_MCHID)) != settings.WECHATPAY_MCHID:
            raise PaymentSignatureInvalid("The notification is for another merchant.")
        return {**resource, "_event_type": data.get("event_type", "")}

    def notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        resource = self._resource(body, headers)
        try:
            return _trade_notice(resource)
        except (KeyError, TypeError, ValueError) as error:
            raise PaymentSignatureInvalid("The notification is not what WeChat Pay sends.") from error

    def payment_query(self, *, reference: str) -> PaymentNotice | None:
        code, data = _call("query", wechatpay_client().query, out_trade_no=reference)
        if code != 200 or data.get("trade_state") != "SUCCESS":
            return None
        return _trade_notice(data)

    def payment_close(self, *, reference: str) -> bool:
        code, data = _call("close", wechatpay_client().close, out_trade_no=reference)
        if code in (200, 204) or data.get("code") == "ORDER_NOT_EXIST":
            return True
        if data.get("code") == "ORDERPAID":
            return False
        logger.warning("wechatpay close %s: %s %s", reference, code, data.get("code"))
        raise PaymentProviderUnavailable()

    # --- refunding --------------------------------------------------------------------

    def refund_create(self, *, payment_reference: str, refund_reference: str, amount: int) -> RefundResult:
        session = PaymentSession.objects.filter(reference=payment_reference).values("amount", "currency", "notify_url")
        session = session.first()
        if session is None:
            return RefundResult(False, "", "原交易不存在")
        notify = ""
        if session["notify_url"]:
            notify = _origin(session["notify_url"]) + reverse("orders:refund_notify", args=[self.name])
        code, data = _call(
            "refund",
            wechatpay_client().refund,
            out_refund_no=refund_reference,
            amount={"refund": amount, "total": session["amount"], "currency": session["currency"]},
            out_trade_no=payment_reference,
            notify_url=notify or None,
        )
        if code != 200:  # refused: what WeChat says reaches operators as it is
            return RefundResult(False, "", str(data.get("message") or data.get("code") or code)[:200])
        return _refund_result(data)

    def refund_query(self, *, payment_reference: str, refund_reference: str) -> RefundResult:
        code, data = _call("refund query", wechatpay_client().query_refund, out_refund_no=refund_reference)
        if code != 200:
            return RefundResult(False, "", str(data.get("message") or data.get("code") or code)[:200])
        return _refund_result(data)

    def refund_notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> RefundNotice:
        resource = self._resource(body, headers)
        try:
            return RefundNotice(
                refund_reference=str(resource["out_refund_no"]),
                result=_refund_result({"status": resource["refund_status"], "refund_id": resource["refund_id"]}),
            )
        except KeyError as error:
            raise PaymentSignatureInvalid("The notification is not what WeChat Pay sends.") from error

    # --- the daily bill ----------------------------------------------------------------

    def trade_bill(self, *, bill_date: date) -> list[BillLine]:
        wxpay = wechatpay_client()
        code, data = _call("tradebill", wxpay.trade_bill, bill_date=bill_date.isoformat())
        if code != 200:
            if data.get("code") == "NO_STATEMENT_EXIST":  # no trade that day
                return []
            raise PaymentProviderUnavailable()
        try:
            status, content = wxpay.download_bill(data["download_url"])
        except requests.RequestException as error:
            raise PaymentProviderUnavailable() from error
        if status != 200 or not isinstance(content, bytes):
            raise PaymentProviderUnavailable()
        if hashlib.sha1(content).hexdigest() != str(data.get("hash_value", "")).lower():  # noqa: S324 (WeChat's choice)
            logger.error("wechatpay bill %s: its hash does not match", bill_date)
            raise PaymentProviderUnavailable()
        return wechatpay_bill_lines(gzip.decompress(content).decode("utf-8-sig"))


def _trade_notice(data: dict) -> PaymentNotice:
    amount = data["amount"]
    return PaymentNotice(
        reference=str(data["out_trade_no"]),
        transaction_id=str(data.get("transaction_id", "")),
        succeeded=data["trade_state"] == "SUCCESS",
        amount=int(amount["total"]),
        currency=str(amount.get("currency", "CNY")),
        paid_at=parse_datetime(data["success_time"]) if data.get("success_time") else None,
    )


def _refund_result(data: dict) -> RefundResult:
    status, refund_id = data.get("status", ""), str(data.get("refund_id", ""))
    if status == "SUCCESS":
        return RefundResult(True, refund_id)
    if status == "PROCESSING":
        return RefundResult(False, refund_id, pending=True)
    reason = {"CLOSED": "退款关闭", "ABNORMAL": "退款异常：请到商户平台处理"}.get(status, f"退款失败：{status}")
    return RefundResult(False, refund_id, reason)


def wechatpay_bill_lines(text: str) -> list[BillLine]:
    """Read a trade bill (交易账单, ALL): a header row, one row per trade or
    refund with each field prefixed by a backquote, then a summary."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [name.strip() for name in rows[0]]
    column = {name: index for index, name in enumerate(header)}
    lines = []
    for row in rows[1:]:
        fields = [field.strip().lstrip("`") for field in row]
        if len(fields) != len(header):  # the summary's header and row
            continue
        state = fields[column["交易状态"]]
        if state == "SUCCESS":
            lines.append(
                BillLine(
                    "payment",
                    fields[column["商户订单号"]],
                    fields[column["微信订单号"]],
                    yuan_to_fen(fields[column["订单金额"]]),
                )
            )
        elif state == "REFUND":
            lines.append(
                BillLine(
                    "refund",
                    fields[column["商户退款单号"]],
                    fields[column["微信退款单号"]],
                    yuan_to_fen(fields[column["退款金额"]]),
                )
            )
    return lines
