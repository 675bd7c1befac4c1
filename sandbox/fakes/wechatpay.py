"""A fake WeChat Pay API v3 (https://pay.weixin.qq.com/doc/v3/merchant/), as
the platform uses it: H5, JSAPI and Native orders, query, close, refunds and
their query, trade bills and their download, and the notifications.

It checks what WeChat Pay checks: the ``Authorization`` header
(``WECHATPAY2-SHA256-RSA2048 mchid, nonce_str, signature, timestamp,
serial_no``; the signature is RSA-SHA256 over ``method\\npath\\ntimestamp\\n
nonce\\nbody\\n`` with the merchant's key, whose serial number must match),
the merchant and app ids, the amounts. It signs every answer with the
platform key (``Wechatpay-Signature`` over ``timestamp\\nnonce\\nbody\\n``,
``Wechatpay-Serial`` = the public key's id) and encrypts each
notification's resource with the APIv3 key (AES-256-GCM).
"""

import base64
import gzip
import hashlib
import html as html_escape
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP, PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA1, SHA256

from .server import FakeGateway, KeyPair, Request, Response, html, redirect

BEIJING = timezone(timedelta(hours=8))


def rsa_sign(key: KeyPair, message: str) -> str:
    return base64.b64encode(key.private_key.sign(message.encode(), PKCS1v15(), SHA256())).decode()


def rsa_verify(public_key, message: str, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature), message.encode(), PKCS1v15(), SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def aes_gcm_encrypt(apiv3_key: str, plaintext: str, associated_data: str) -> dict:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat's
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plaintext.encode(), associated_data.encode())
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def _now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0)


@dataclass
class Trade:
    out_trade_no: str
    trade_type: str  # H5, JSAPI, NATIVE
    amount: int
    currency: str
    description: str
    notify_url: str
    appid: str
    prepay_id: str
    code: str  # the token in a Native code_url
    openid: str = ""
    payer_client_ip: str = ""  # H5: the buyer's address, as the merchant reported it
    state: str = "NOTPAY"  # SUCCESS, CLOSED, REFUND
    transaction_id: str = ""
    success_time: datetime | None = None
    refunded: int = 0


@dataclass
class Refund:
    out_refund_no: str
    refund_id: str
    trade: Trade
    amount: int
    notify_url: str
    status: str = "PROCESSING"
    created: datetime = field(default_factory=_now)
    success_time: datetime | None = None


@dataclass
class TransferBill:
    """A merchant transfer (商家转账) as WeChat Pay keeps it."""

    out_bill_no: str
    transfer_bill_no: str
    appid: str
    openid: str
    amount: int
    remark: str
    notify_url: str
    user_name: str  # decrypted: what the merchant said the payee's real name is
    state: str = "WAIT_USER_CONFIRM"
    fail_reason: str = ""
    package_info: str = ""
    created: datetime = field(default_factory=_now)
    updated: datetime = field(default_factory=_now)


TRANSFER_FINISHED = ("SUCCESS", "FAIL", "CANCELLED")


class FakeWeChatPay(FakeGateway):
    def __init__(self, *, mchid: str = "1900000109", appid: str = "wxd678efh567hg6787", apiv3_key: str = ""):
        super().__init__()
        self.mchid, self.appid = mchid, appid
        self.apiv3_key = apiv3_key or secrets.token_hex(16)  # 32 characters
        self.merchant_key = KeyPair.generate()  # the merchant's API key: the platform signs with it
        self.merchant_serial = secrets.token_hex(20).upper()
        self.platform_key = KeyPair.generate()  # WeChat Pay's 微信支付公钥
        self.public_key_id = "PUB_KEY_ID_" + secrets.token_hex(12).upper()
        self.trades: dict[str, Trade] = {}
        self.refunds: dict[str, Refund] = {}
        self.refund_delay: float | None = 0.3  # seconds until a refund succeeds and is notified; None: never
        self.bill_doctor = None  # a function(rows) -> rows, to doctor a bill
        self.bills: dict[str, bytes] = {}
        self.requests_refused = 0
        self.transfers: dict[str, TransferBill] = {}
        self.payees: dict[str, str] = {}  # openid → real name, as WeChat's real-name records say
        self.transfer_confirm = True  # the current API: a transfer waits for its payee to accept it
        # a slow refund API, for tests that kill the caller mid-request: once ``refunds_hold(after=n)`` was
        # called, each new refund past the n-th is booked, then its answer waits until ``refunds_let_go``
        self.refunds_held_after: int | None = None
        self.refunds_waiting = 0
        self._refunds_released = threading.Event()
        self._refunds_released.set()

    # --- signing ------------------------------------------------------------------------

    def signed(self, status: int, payload: dict | None) -> Response:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = rsa_sign(self.platform_key, f"{timestamp}\n{nonce}\n{body.decode()}\n")
        headers = {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": self.public_key_id,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Request-ID": secrets.token_hex(8),
        }
        if payload is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        return Response(status, body, headers)

    def error(self, status: int, code: str, message: str) -> Response:
        return self.signed(status, {"code": code, "message": message})

    def authorized(self, request: Request) -> bool:
        """WeChat Pay's check of the merchant's request signature."""
        header = request.headers.get("Authorization", "")
        scheme, _, rest = header.partition(" ")
        fields = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != self.mchid:
            return False
        if fields.get("serial_no") != self.merchant_serial:
            return False
        try:
            if abs(time.time() - int(fields.get("timestamp", "0"))) > 300:
                return False
        except ValueError:
            return False
        message = (
            f"{request.method}\n{request.target}\n{fields['timestamp']}\n{fields.get('nonce_str', '')}\n"
            f"{request.body.decode()}\n"
        )
        return rsa_verify(self.merchant_key.public_key, message, fields.get("signature", ""))

    def notification(
        self,
        *,
        event_type: str,
        original_type: str,
        resource: dict,
        summary: str,
        apiv3_key: str | None = None,
        signing_key: KeyPair | None = None,
        serial: str | None = None,
        timestamp: int | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """A notification's body and headers; the keyword arguments let a test forge a hostile one."""
        body = json.dumps(
            {
                "id": secrets.token_hex(18),
                "create_time": _now().isoformat(),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": summary,
                "resource": {
                    "original_type": original_type,
                    **aes_gcm_encrypt(
                        apiv3_key or self.apiv3_key, json.dumps(resource, ensure_ascii=False), original_type
                    ),
                },
            },
            ensure_ascii=False,
        ).encode()
        stamp, nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json",
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": rsa_sign(signing_key or self.platform_key, f"{stamp}\n{nonce}\n{body.decode()}\n"),
            "Wechatpay-Serial": serial or self.public_key_id,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }
        return body, headers

    # --- trades -----------------------------------------------------------------------

    def transaction(self, trade: Trade) -> dict:
        data = {
            "appid": trade.appid,
            "mchid": self.mchid,
            "out_trade_no": trade.out_trade_no,
            "trade_type": trade.trade_type,
            "trade_state": trade.state,
            "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭"}.get(trade.state, ""),
            "amount": {"payer_currency": trade.currency, "currency": trade.currency},
        }
        if trade.state in ("SUCCESS", "REFUND"):
            data.update(
                transaction_id=trade.transaction_id,
                bank_type="OTHERS",
                success_time=trade.success_time.isoformat(),
                payer={"openid": trade.openid or "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            )
            data["amount"].update(total=trade.amount, payer_total=trade.amount)
        else:
            data["amount"]["total"] = trade.amount
        return data

    def pay(self, out_trade_no: str) -> Trade:
        """The buyer paid (confirmed in the WeChat app, or scanned the QR): the trade succeeds and the
        platform is notified."""
        with self.lock:
            trade = self.trades[out_trade_no]
            if trade.state != "NOTPAY":
                return trade
            trade.state, trade.success_time = "SUCCESS", _now()
            trade.transaction_id = "4200" + secrets.token_hex(12)[:24].upper()
        body, headers = self.notification(
            event_type="TRANSACTION.SUCCESS",
            original_type="transaction",
            resource=self.transaction(trade),
            summary="支付成功",
        )
        self.send(trade.notify_url, body, headers)
        return trade

    def scan(self, code_url: str) -> Trade:
        """A buyer's WeChat scanned a Native QR and paid."""
        token = code_url.rsplit("pr=", 1)[-1]
        trade = next(trade for trade in self.trades.values() if trade.code == token)
        return self.pay(trade.out_trade_no)

    def _order(self, request: Request, match) -> Response:
        if not self.authorized(request):
            self.requests_refused += 1
            return self.error(401, "SIGN_ERROR", "签名错误")
        kind = match.group(1).upper()
        data = request.json()
        amount = data.get("amount") or {}
        if data.get("mchid") != self.mchid or data.get("appid") != self.appid:
            return self.error(400, "PARAM_ERROR", "appid和mch_id不匹配")
        if not isinstance(amount.get("total"), int) or amount["total"] <= 0 or not data.get("notify_url"):
            return self.error(400, "PARAM_ERROR", "参数错误")
        if kind == "H5" and not (data.get("scene_info") or {}).get("payer_client_ip"):
            return self.error(400, "PARAM_ERROR", "缺少参数 scene_info.payer_client_ip")
        if kind == "JSAPI" and not (data.get("payer") or {}).get("openid"):
            return self.error(400, "PARAM_ERROR", "缺少参数 payer.openid")
        with self.lock:
            trade = self.trades.get(data["out_trade_no"])
            if trade is None:
                trade = self.trades[data["out_trade_no"]] = Trade(
                    out_trade_no=data["out_trade_no"],
                    trade_type=kind,
                    amount=amount["total"],
                    currency=amount.get("currency", "CNY"),
                    description=data.get("description", ""),
                    notify_url=data["notify_url"],
                    appid=data["appid"],
                    prepay_id="wx" + secrets.token_hex(14),
                    code=secrets.token_urlsafe(8),
                    openid=(data.get("payer") or {}).get("openid", ""),
                    payer_client_ip=(data.get("scene_info") or {}).get("payer_client_ip", ""),
                )
            elif trade.amount != amount["total"] or trade.trade_type != kind:
                return self.error(400, "INVALID_REQUEST", "201 商户订单号重复")
            elif trade.state != "NOTPAY":
                return self.error(400, "ORDERPAID" if trade.state == "SUCCESS" else "ORDER_CLOSED", "订单状态错误")
        if kind == "H5":
            return self.signed(200, {"h5_url": f"{self.url}/pay/h5?prepay_id={trade.prepay_id}&package=2150917749"})
        if kind == "NATIVE":
            return self.signed(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={trade.code}"})
        return self.signed(200, {"prepay_id": trade.prepay_id})

    def _query(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        trade = self.trades.get(match.group(1))
        if trade is None or request.query.get("mchid") != self.mchid:
            return self.error(404, "ORDER_NOT_EXIST", "订单不存在")
        return self.signed(200, self.transaction(trade))

    def _close(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        with self.lock:
            trade = self.trades.get(match.group(1))
            if trade is None:
                return self.error(404, "ORDER_NOT_EXIST", "订单不存在")
            if trade.state in ("SUCCESS", "REFUND"):
                return self.error(400, "ORDERPAID", "订单已支付")
            trade.state = "CLOSED"
        return self.signed(204, None)

    # --- refunds ----------------------------------------------------------------------

    def refund_view(self, refund: Refund) -> dict:
        return {
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "transaction_id": refund.trade.transaction_id,
            "out_trade_no": refund.trade.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "status": refund.status,
            "create_time": refund.created.isoformat(),
            **({"success_time": refund.success_time.isoformat()} if refund.success_time else {}),
            "amount": {
                "total": refund.trade.amount,
                "refund": refund.amount,
                "payer_total": refund.trade.amount,
                "payer_refund": refund.amount,
                "currency": refund.trade.currency,
            },
        }

    def refunds_hold(self, *, after: int = 0) -> None:
        """From the ``after``+1-th refund booked on, book each new refund and hold its answer (the money is
        on its way, the caller does not know yet) until ``refunds_let_go``."""
        self.refunds_held_after = after
        self._refunds_released.clear()

    def refunds_let_go(self) -> None:
        self.refunds_held_after = None
        self._refunds_released.set()

    def _refund(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        data = request.json()
        amount = data.get("amount") or {}
        with self.lock:
            existing = self.refunds.get(data.get("out_refund_no", ""))
            if existing is not None:  # the same out_refund_no again: the same refund
                return self.signed(200, self.refund_view(existing))
            trade = self.trades.get(data.get("out_trade_no", ""))
            if trade is None or trade.state not in ("SUCCESS", "REFUND"):
                return self.error(404, "RESOURCE_NOT_EXISTS", "订单不存在")
            if amount.get("total") != trade.amount:
                return self.error(400, "PARAM_ERROR", "订单金额与原订单金额不一致")
            refund_amount = amount.get("refund")
            if not isinstance(refund_amount, int) or refund_amount <= 0:
                return self.error(400, "PARAM_ERROR", "退款金额错误")
            if trade.refunded + refund_amount > trade.amount:
                return self.error(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
            trade.refunded += refund_amount
            trade.state = "REFUND"
            refund = self.refunds[data["out_refund_no"]] = Refund(
                out_refund_no=data["out_refund_no"],
                refund_id="5030" + secrets.token_hex(12)[:24].upper(),
                trade=trade,
                amount=refund_amount,
                notify_url=data.get("notify_url", ""),
            )
            held = self.refunds_held_after is not None and len(self.refunds) > self.refunds_held_after
            if held:
                self.refunds_waiting += 1
        if held:
            self._refunds_released.wait(timeout=120)
            with self.lock:
                self.refunds_waiting -= 1
        if self.refund_delay is not None:
            threading.Timer(self.refund_delay, self.refund_settle, args=[refund.out_refund_no]).start()
        return self.signed(200, self.refund_view(refund))

    def refund_settle(self, out_refund_no: str) -> Refund:
        """The money reached the buyer: the refund succeeds and the platform is notified."""
        with self.lock:
            refund = self.refunds[out_refund_no]
            if refund.status != "PROCESSING":
                return refund
            refund.status, refund.success_time = "SUCCESS", _now()
        if refund.notify_url:
            resource = {
                "mchid": self.mchid,
                "out_trade_no": refund.trade.out_trade_no,
                "transaction_id": refund.trade.transaction_id,
                "out_refund_no": refund.out_refund_no,
                "refund_id": refund.refund_id,
                "refund_status": refund.status,
                "success_time": refund.success_time.isoformat(),
                "user_received_account": "支付用户零钱",
                "amount": {
                    "total": refund.trade.amount,
                    "refund": refund.amount,
                    "payer_total": refund.trade.amount,
                    "payer_refund": refund.amount,
                },
            }
            body, headers = self.notification(
                event_type="REFUND.SUCCESS", original_type="refund", resource=resource, summary="退款成功"
            )
            self.send(refund.notify_url, body, headers)
        return refund

    def _refund_query(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        refund = self.refunds.get(match.group(1))
        if refund is None:
            return self.error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return self.signed(200, self.refund_view(refund))

    # --- bills ------------------------------------------------------------------------

    BILL_HEADER = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
        "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
        "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
    )

    def bill_rows(self, bill_date: str) -> list[list[str]]:
        rows = []
        for trade in self.trades.values():
            if trade.success_time and trade.success_time.date().isoformat() == bill_date:
                yuan = f"{trade.amount / 100:.2f}"
                rows.append(
                    [trade.success_time.strftime("%Y-%m-%d %H:%M:%S"), trade.appid, self.mchid, "0", "",
                     trade.transaction_id, trade.out_trade_no, trade.openid or "oUpF8uMuAJO", trade.trade_type,
                     "SUCCESS", "OTHERS", trade.currency, yuan, "0.00", "0", "0", "0.00", "0.00", "", "",
                     trade.description, "", "0.00", "0.60%", yuan, "0.00", ""]
                )  # fmt: skip
        for refund in self.refunds.values():
            if refund.success_time and refund.success_time.date().isoformat() == bill_date:
                trade, yuan = refund.trade, f"{refund.amount / 100:.2f}"
                rows.append(
                    [refund.success_time.strftime("%Y-%m-%d %H:%M:%S"), trade.appid, self.mchid, "0", "",
                     trade.transaction_id, trade.out_trade_no, trade.openid or "oUpF8uMuAJO", trade.trade_type,
                     "REFUND", "OTHERS", trade.currency, "0.00", "0.00", refund.refund_id, refund.out_refund_no,
                     yuan, "0.00", "ORIGINAL", "SUCCESS", trade.description, "", "0.00", "0.60%",
                     f"{trade.amount / 100:.2f}", yuan, ""]
                )  # fmt: skip
        return self.bill_doctor(rows) if self.bill_doctor else rows

    def _tradebill(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        bill_date = request.query.get("bill_date", "")
        rows = self.bill_rows(bill_date)
        if not rows:
            return self.error(400, "NO_STATEMENT_EXIST", "要查询的账单不存在")
        lines = [self.BILL_HEADER] + [",".join("`" + field for field in row) for row in rows]
        lines += ["总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
                  f"`{len(rows)},`0.00,`0.00,`0.00,`0.00,`0.00,`0.00"]  # fmt: skip
        content = gzip.compress(("\n".join(lines) + "\n").encode())
        token = secrets.token_urlsafe(12)
        self.bills[token] = content
        return self.signed(
            200,
            {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(content).hexdigest(),  # noqa: S324 (WeChat's choice)
                "download_url": f"{self.url}/v3/billdownload/file?token={token}",
            },
        )

    def _billdownload(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        content = self.bills.get(request.query.get("token", ""))
        if content is None:
            return self.error(404, "RESOURCE_NOT_EXISTS", "账单不存在")
        return Response(200, content, {"Content-Type": "application/octet-stream"})

    # --- what the buyer sees: WeChat's H5 middle page -----------------------------------------

    def _h5_page(self, request: Request, match) -> Response:
        trade = next((t for t in self.trades.values() if t.prepay_id == request.query.get("prepay_id")), None)
        if trade is None:
            return html("<p>商家参数格式有误，请联系商家解决</p>", 400)
        back = request.query.get("redirect_url", "")
        return html(
            f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>微信支付</title></head>
<body style="font-family:sans-serif;text-align:center;padding:40px 16px">
<p>微信支付</p><p style="font-size:32px" id="amount">¥{trade.amount / 100:.2f}</p>
<p>{html_escape.escape(trade.description)}</p>
<form method="post" action="/pay/h5/confirm">
<input type="hidden" name="prepay_id" value="{trade.prepay_id}">
<input type="hidden" name="redirect_url" value="{html_escape.escape(back)}">
<button id="wechat-confirm" style="width:100%;padding:14px;background:#07c160;color:#fff;border:0;border-radius:6px">
确认支付</button></form></body></html>"""
        )

    def _h5_confirm(self, request: Request, match) -> Response:
        form = request.form()
        trade = next((t for t in self.trades.values() if t.prepay_id == form.get("prepay_id")), None)
        if trade is None or trade.state != "NOTPAY":
            return html("<p>订单已关闭</p>", 400)
        self.pay(trade.out_trade_no)
        return redirect(form.get("redirect_url") or "about:blank")

    # --- merchant transfers (商家转账, /v3/fund-app/mch-transfer/transfer-bills) ------------------

    def transfer_view(self, bill: TransferBill) -> dict:
        data = {
            "mch_id": self.mchid,
            "out_bill_no": bill.out_bill_no,
            "transfer_bill_no": bill.transfer_bill_no,
            "appid": bill.appid,
            "state": bill.state,
            "transfer_amount": bill.amount,
            "transfer_remark": bill.remark,
            "openid": bill.openid,
            "create_time": bill.created.isoformat(),
            "update_time": bill.updated.isoformat(),
        }
        if bill.fail_reason:
            data["fail_reason"] = bill.fail_reason
        return data

    def _transfer(self, request: Request, match) -> Response:
        if not self.authorized(request):
            self.requests_refused += 1
            return self.error(401, "SIGN_ERROR", "签名错误")
        data = request.json()
        amount = data.get("transfer_amount")
        if data.get("appid") != self.appid:
            return self.error(400, "PARAM_ERROR", "appid和mch_id不匹配")
        if not isinstance(amount, int) or amount < 10 or not data.get("openid") or not data.get("transfer_scene_id"):
            return self.error(400, "PARAM_ERROR", "参数错误")
        if not re.fullmatch(r"[0-9A-Za-z]{5,32}", str(data.get("out_bill_no", ""))):
            return self.error(400, "PARAM_ERROR", "商户单号只能由数字、大小写字母组成")
        user_name = ""
        if data.get("user_name"):
            # encrypted with the platform public key, whose id the request must name
            if request.headers.get("Wechatpay-Serial") != self.public_key_id:
                return self.error(400, "PARAM_ERROR", "Wechatpay-Serial 与加密所用公钥不符")
            try:
                oaep = OAEP(mgf=MGF1(algorithm=SHA1()), algorithm=SHA1(), label=None)  # noqa: S303 (WeChat's choice)
                user_name = self.platform_key.private_key.decrypt(base64.b64decode(data["user_name"]), oaep).decode()
            except ValueError:
                return self.error(400, "PARAM_ERROR", "敏感信息解密失败")
        elif amount >= 200_000:
            return self.error(400, "PARAM_ERROR", "转账金额>=2000元时，收款用户姓名必填")
        with self.lock:
            bill = self.transfers.get(data["out_bill_no"])
            if bill is not None:  # the same out_bill_no again: the same transfer, never a second one
                if bill.amount != amount or bill.openid != data["openid"]:
                    return self.error(400, "INVALID_REQUEST", "商户单号重复，且参数与原单不一致")
                return self.signed(200, self._transfer_answer(bill))
            bill = self.transfers[data["out_bill_no"]] = TransferBill(
                out_bill_no=data["out_bill_no"],
                transfer_bill_no="1330000" + secrets.token_hex(16)[:32].upper(),
                appid=data["appid"],
                openid=data["openid"],
                amount=amount,
                remark=data.get("transfer_remark", ""),
                notify_url=data.get("notify_url", ""),
                user_name=user_name,
            )
            known = self.payees.get(bill.openid)
            if user_name and known is not None and known != user_name:
                bill.state, bill.fail_reason = "FAIL", "NAME_NOT_CORRECT"
            elif self.transfer_confirm:
                bill.package_info = base64.b64encode(secrets.token_bytes(48)).decode()
            else:
                bill.state = "SUCCESS"
        if bill.state in TRANSFER_FINISHED:
            self._transfer_notify(bill)
        return self.signed(200, self._transfer_answer(bill))

    def _transfer_answer(self, bill: TransferBill) -> dict:
        answer = {
            "out_bill_no": bill.out_bill_no,
            "transfer_bill_no": bill.transfer_bill_no,
            "create_time": bill.created.isoformat(),
            "state": bill.state,
        }
        if bill.state == "WAIT_USER_CONFIRM":
            answer["package_info"] = bill.package_info
        if bill.fail_reason:
            answer["fail_reason"] = bill.fail_reason
        return answer

    def _transfer_query(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        bill = self.transfers.get(match.group(1))
        if bill is None:
            return self.error(404, "NOT_FOUND", "记录不存在")
        return self.signed(200, self.transfer_view(bill))

    def _transfer_cancel(self, request: Request, match) -> Response:
        if not self.authorized(request):
            return self.error(401, "SIGN_ERROR", "签名错误")
        with self.lock:
            bill = self.transfers.get(match.group(1))
            if bill is None:
                return self.error(404, "NOT_FOUND", "记录不存在")
            if bill.state not in ("ACCEPTED", "WAIT_USER_CONFIRM", "TRANSFERING"):
                return self.error(400, "INVALID_REQUEST", "当前状态不支持撤销")
            bill.state, bill.updated = "CANCELLED", _now()  # WeChat passes CANCELING on its way; the fake at once
            answer = {
                "out_bill_no": bill.out_bill_no,
                "transfer_bill_no": bill.transfer_bill_no,
                "state": "CANCELING",
                "update_time": bill.updated.isoformat(),
            }
        self._transfer_notify(bill)
        return self.signed(200, answer)

    def transfer_finish(self, out_bill_no: str, state: str, fail_reason: str = "") -> TransferBill:
        """Test hook: the payee accepted it (``SUCCESS``), WeChat failed it
        (``FAIL``), or nobody accepted it in time (``CANCELLED``); the
        platform is notified."""
        with self.lock:
            bill = self.transfers[out_bill_no]
            if bill.state in TRANSFER_FINISHED:
                return bill
            bill.state, bill.fail_reason, bill.updated = state, fail_reason, _now()
        self._transfer_notify(bill)
        return bill

    def transfer_confirm_by_payee(self, out_bill_no: str) -> TransferBill:
        return self.transfer_finish(out_bill_no, "SUCCESS")

    def transfer_expire(self, out_bill_no: str) -> TransferBill:
        return self.transfer_finish(out_bill_no, "CANCELLED")

    def transfer_notification(self, bill: TransferBill, **forge) -> tuple[bytes, dict[str, str]]:
        resource = {
            key: value for key, value in self.transfer_view(bill).items() if key not in ("appid", "transfer_remark")
        }
        return self.notification(
            event_type="MCHTRANSFER.BILL.FINISHED",
            original_type="mch_payment",
            resource=resource,
            summary="商家转账单据终态通知",
            **forge,
        )

    def _transfer_notify(self, bill: TransferBill) -> None:
        if bill.notify_url:
            body, headers = self.transfer_notification(bill)
            self.send(bill.notify_url, body, headers)

    routes = [
        ("POST", r"/v3/fund-app/mch-transfer/transfer-bills", _transfer),
        ("GET", r"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/([^/]+)", _transfer_query),
        ("POST", r"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/([^/]+)/cancel", _transfer_cancel),
        ("POST", r"/v3/pay/transactions/(h5|native|jsapi)", _order),
        ("GET", r"/v3/pay/transactions/out-trade-no/([^/]+)", _query),
        ("POST", r"/v3/pay/transactions/out-trade-no/([^/]+)/close", _close),
        ("POST", r"/v3/refund/domestic/refunds", _refund),
        ("GET", r"/v3/refund/domestic/refunds/([^/]+)", _refund_query),
        ("GET", r"/v3/bill/tradebill", _tradebill),
        ("GET", r"/v3/billdownload/file", _billdownload),
        ("GET", r"/pay/h5", _h5_page),
        ("POST", r"/pay/h5/confirm", _h5_confirm),
    ]
