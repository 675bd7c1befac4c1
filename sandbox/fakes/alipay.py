"""A fake Alipay open gateway (``/gateway.do``, https://opendocs.alipay.com/),
as the platform uses it: 手机网站支付 and 电脑网站支付 (the cashier page the
buyer sees, then the return and the asynchronous notification), trade
query, close, refund and refund query, and the bill download URL with the
bill itself (a zip of GBK CSV files).

It checks what Alipay checks: the ``app_id``, and the RSA2 ``sign`` over the
request's sorted parameters (``sign`` and ``sign_type`` left out) with the
app's public key. Every answer is signed with Alipay's key over the
response object, as ``alipay_xxx_response`` then ``sign``; notifications
and returns are signed the same way as requests.

In certificate mode (公钥证书模式, ``certificates`` set: a root, the app's
certificate and Alipay's, issued at test time) every request must also name
the app's certificate and Alipay's root by their serial numbers
(``app_cert_sn``, ``alipay_root_cert_sn``: the MD5 of the issuer's DN and the
serial number, computed by the SDK's own ``DCAliPay`` functions, the way
Alipay's SDKs all compute them); a wrong one is refused before anything
happens, and answers carry ``alipay_cert_sn``, signed with the key of the
Alipay certificate issued.
"""

import html as html_escape
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlencode

from alipay import DCAliPay
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from .server import FakeGateway, KeyPair, Request, Response, html, redirect
from .wechatpay import rsa_sign, rsa_verify

BEIJING = timezone(timedelta(hours=8))


def _now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0, tzinfo=None)


def sign_content(params: dict[str, str], *, leave_out=("sign", "sign_type")) -> str:
    """What is signed: the sorted ``key=value`` pairs, raw. A request's signature covers its ``sign_type``;
    a notification's and a return's do not (Alipay's rules for each)."""
    return "&".join(f"{key}={value}" for key, value in sorted(params.items()) if key not in leave_out)


@dataclass
class Trade:
    out_trade_no: str
    amount: Decimal
    subject: str
    notify_url: str
    return_url: str
    product_code: str
    method: str
    status: str = "WAIT_BUYER_PAY"  # TRADE_SUCCESS, TRADE_CLOSED
    trade_no: str = ""
    paid_at: datetime | None = None
    refunded: Decimal = Decimal("0.00")


@dataclass
class Refund:
    out_request_no: str
    trade: Trade
    amount: Decimal
    at: datetime = field(default_factory=_now)


@dataclass
class Transfer:
    """A single transfer (单笔转账) to an Alipay account, as Alipay keeps it."""

    out_biz_no: str
    order_id: str
    pay_fund_order_id: str
    identity: str
    name: str
    amount: Decimal
    status: str = "SUCCESS"
    fail_reason: str = ""
    at: datetime = field(default_factory=_now)


def _name(common_name: str, unit: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(subject: x509.Name, key, issuer: x509.Name, issuer_key: KeyPair, *, ca: bool = False) -> str:
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key.private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class AlipayCertificates:
    """What Alipay's open platform hands an app in certificate mode, as PEM: its root certificate, the
    app's public-key certificate (over the app's key) and Alipay's (over the key Alipay signs with)."""

    root: str
    app: str
    alipay: str

    ROOT = _name("Ant Financial Certification Authority R1", "Certification Authority", "Ant Financial")

    @classmethod
    def issue(cls, *, app_id: str, app_key: KeyPair, alipay_key: KeyPair) -> "AlipayCertificates":
        root_key = KeyPair.generate()
        return cls(
            root=_certificate(cls.ROOT, root_key.public_key, cls.ROOT, root_key, ca=True),
            app=_certificate(_name(app_id, "Alipay", "测试商户"), app_key.public_key, cls.ROOT, root_key),
            alipay=_certificate(_name("支付宝(中国)网络技术有限公司", "Alipay", "Alipay"), alipay_key.public_key,
                                cls.ROOT, root_key),
        )  # fmt: skip

    def app_sn(self) -> str:
        return DCAliPay.get_cert_sn(self.app)

    def root_sn(self) -> str:
        return DCAliPay.get_root_cert_sn(self.root)

    def alipay_sn(self) -> str:
        return DCAliPay.get_cert_sn(self.alipay)


class FakeAlipay(FakeGateway):
    def __init__(self, *, app_id: str = "2021000000000001"):
        super().__init__()
        self.app_id = app_id
        self.app_key = KeyPair.generate()  # the merchant app's key: the platform signs with it
        self.alipay_key = KeyPair.generate()  # Alipay's: the platform verifies with its public half
        self.seller_id = "2088" + secrets.token_hex(6)[:12]
        self.trades: dict[str, Trade] = {}
        self.refunds: dict[str, Refund] = {}
        self.bills: dict[str, bytes] = {}
        self.bill_doctor = None  # a function(rows) -> rows, to doctor a bill
        self.requests_refused = 0
        self.transfers: dict[str, Transfer] = {}
        self.payees: dict[str, str] = {}  # log-in id → the real name Alipay knows for it
        self.certificates: AlipayCertificates | None = None  # set: the app is in certificate mode

    # --- signing ------------------------------------------------------------------------

    def sign(self, params: dict[str, str], key: KeyPair | None = None) -> dict[str, str]:
        return {**params, "sign_type": "RSA2", "sign": rsa_sign(key or self.alipay_key, sign_content(params))}

    def answer(self, method: str, payload: dict) -> Response:
        inner = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        response_type = method.replace(".", "_") + "_response"
        cert_sn = f',"alipay_cert_sn":"{self.certificates.alipay_sn()}"' if self.certificates else ""
        body = f'{{"{response_type}":{inner}{cert_sn},"sign":"{rsa_sign(self.alipay_key, inner)}"}}'
        return Response(200, body.encode(), {"Content-Type": "text/html;charset=utf-8"})

    def business_error(self, method: str, sub_code: str, sub_msg: str) -> Response:
        return self.answer(
            method, {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}
        )

    def notification(self, trade: Trade, key: KeyPair | None = None, **changes) -> tuple[bytes, dict[str, str]]:
        """An asynchronous notification's body and headers; ``changes`` and ``key`` forge hostile ones."""
        params = {
            "gmt_create": trade.paid_at.strftime("%Y-%m-%d %H:%M:%S"),
            "charset": "utf-8",
            "seller_email": "shop@example.com",
            "subject": trade.subject,
            "buyer_id": "2088102177846880",
            "invoice_amount": str(trade.amount),
            "notify_id": secrets.token_hex(16),
            "fund_bill_list": json.dumps([{"amount": str(trade.amount), "fundChannel": "ALIPAYACCOUNT"}]),
            "notify_type": "trade_status_sync",
            "trade_status": trade.status,
            "receipt_amount": str(trade.amount),
            "app_id": self.app_id,
            "buyer_pay_amount": str(trade.amount),
            "notify_time": _now().strftime("%Y-%m-%d %H:%M:%S"),
            "point_amount": "0.00",
            "total_amount": str(trade.amount),
            "trade_no": trade.trade_no,
            "auth_app_id": self.app_id,
            "seller_id": self.seller_id,
            "gmt_payment": trade.paid_at.strftime("%Y-%m-%d %H:%M:%S"),
            "out_trade_no": trade.out_trade_no,
            "version": "1.0",
            **changes,
        }
        body = urlencode(self.sign(params, key)).encode()
        return body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

    def pay(self, out_trade_no: str) -> Trade:
        """The buyer paid on Alipay's cashier: the trade succeeds and the platform is notified."""
        with self.lock:
            trade = self.trades[out_trade_no]
            if trade.status != "WAIT_BUYER_PAY":
                return trade
            trade.status, trade.paid_at = "TRADE_SUCCESS", _now()
            trade.trade_no = _now().strftime("%Y%m%d") + "2200" + secrets.token_hex(8)[:14]
        body, headers = self.notification(trade)
        self.send(trade.notify_url, body, headers)
        return trade

    # --- the gateway ----------------------------------------------------------------------

    def _gateway(self, request: Request, match) -> Response:
        params = {**request.query, **(request.form() if request.body else {})}
        method = params.get("method", "")
        signature = params.get("sign", "")
        if params.get("app_id") != self.app_id or not rsa_verify(
            self.app_key.public_key, sign_content(params, leave_out=("sign",)), signature
        ):
            return self._refuse(method, "isv.invalid-signature", "验签出错")
        if self.certificates and params.get("app_cert_sn") != self.certificates.app_sn():
            return self._refuse(method, "isv.app-cert-not-exist", "应用公钥证书不存在")
        if self.certificates and params.get("alipay_root_cert_sn") != self.certificates.root_sn():
            return self._refuse(method, "isv.invalid-alipay-root-cert-sn", "无效支付宝根证书序列号")
        biz = json.loads(params.get("biz_content") or "{}")
        handler = {
            "alipay.trade.wap.pay": FakeAlipay._cashier,
            "alipay.trade.page.pay": FakeAlipay._cashier,
            "alipay.trade.query": FakeAlipay._query,
            "alipay.trade.close": FakeAlipay._close,
            "alipay.trade.refund": FakeAlipay._refund,
            "alipay.trade.fastpay.refund.query": FakeAlipay._refund_query,
            "alipay.data.dataservice.bill.downloadurl.query": FakeAlipay._bill_url,
            "alipay.fund.trans.uni.transfer": FakeAlipay._transfer,
            "alipay.fund.trans.common.query": FakeAlipay._transfer_query,
        }.get(method)
        if handler is None:
            return self.business_error(method, "isv.invalid-method", "不存在的方法名")
        return handler(self, method, params, biz)

    def _refuse(self, method: str, sub_code: str, sub_msg: str) -> Response:
        """The gateway refuses the request itself (unsigned ``error_response``); nothing happens."""
        self.requests_refused += 1
        body = {"code": "40002", "msg": "Invalid Arguments", "sub_code": sub_code, "sub_msg": sub_msg}
        return Response(
            400 if method.endswith(("wap.pay", "page.pay")) else 200,
            json.dumps({"error_response": body}, ensure_ascii=False).encode(),
            {"Content-Type": "text/html;charset=utf-8"},
        )

    def _cashier(self, method: str, params: dict, biz: dict) -> Response:
        with self.lock:
            trade = self.trades.get(biz.get("out_trade_no", ""))
            if trade is None:
                trade = self.trades[biz["out_trade_no"]] = Trade(
                    out_trade_no=biz["out_trade_no"],
                    amount=Decimal(biz["total_amount"]),
                    subject=biz.get("subject", ""),
                    notify_url=params.get("notify_url", ""),
                    return_url=params.get("return_url", ""),
                    product_code=biz.get("product_code", ""),
                    method=method,
                )
            elif trade.amount != Decimal(biz["total_amount"]):
                return html("<p>交易信息被篡改</p>", 400)
        if trade.status != "WAIT_BUYER_PAY":
            return html("<p>该交易已关闭或已支付</p>", 409)
        return html(
            f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>支付宝 - 网上支付 安全快速！</title></head>
<body style="font-family:sans-serif;text-align:center;padding:40px 16px">
<p>支付宝收银台</p><p style="font-size:32px" id="amount">¥{trade.amount}</p>
<p>{html_escape.escape(trade.subject)}</p>
<form method="post" action="/cashier/pay">
<input type="hidden" name="out_trade_no" value="{html_escape.escape(trade.out_trade_no)}">
<button id="alipay-confirm" style="width:100%;padding:14px;background:#1677ff;color:#fff;border:0;border-radius:6px">
确认付款</button></form></body></html>"""
        )

    def _cashier_pay(self, request: Request, match) -> Response:
        trade = self.trades.get(request.form().get("out_trade_no", ""))
        if trade is None or trade.status != "WAIT_BUYER_PAY":
            return html("<p>该交易已关闭或已支付</p>", 409)
        self.pay(trade.out_trade_no)
        back = self.sign(
            {
                "charset": "utf-8",
                "out_trade_no": trade.out_trade_no,
                "method": trade.method + ".return",
                "total_amount": str(trade.amount),
                "trade_no": trade.trade_no,
                "auth_app_id": self.app_id,
                "version": "1.0",
                "app_id": self.app_id,
                "seller_id": self.seller_id,
                "timestamp": _now().strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
        separator = "&" if "?" in trade.return_url else "?"
        return redirect(trade.return_url + separator + urlencode(back))

    def _query(self, method: str, params: dict, biz: dict) -> Response:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            return self.business_error(method, "ACQ.TRADE_NOT_EXIST", "交易不存在")
        payload = {
            "code": "10000",
            "msg": "Success",
            "buyer_logon_id": "csq***@sandbox.com",
            "buyer_pay_amount": str(trade.amount) if trade.paid_at else "0.00",
            "buyer_user_id": "2088102177846880",
            "out_trade_no": trade.out_trade_no,
            "point_amount": "0.00",
            "receipt_amount": str(trade.amount) if trade.paid_at else "0.00",
            "total_amount": str(trade.amount),
            "trade_no": trade.trade_no,
            "trade_status": trade.status,
        }
        if trade.paid_at:
            payload["send_pay_date"] = trade.paid_at.strftime("%Y-%m-%d %H:%M:%S")
        return self.answer(method, payload)

    def _close(self, method: str, params: dict, biz: dict) -> Response:
        with self.lock:
            trade = self.trades.get(biz.get("out_trade_no", ""))
            if trade is None:
                return self.business_error(method, "ACQ.TRADE_NOT_EXIST", "交易不存在")
            if trade.status != "WAIT_BUYER_PAY":
                return self.business_error(method, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            trade.status = "TRADE_CLOSED"
        return self.answer(method, {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no})

    def _refund(self, method: str, params: dict, biz: dict) -> Response:
        with self.lock:
            trade = self.trades.get(biz.get("out_trade_no", ""))
            if trade is None or trade.status not in ("TRADE_SUCCESS", "TRADE_CLOSED") or not trade.paid_at:
                return self.business_error(method, "ACQ.TRADE_NOT_EXIST", "交易不存在")
            request_no = biz.get("out_request_no") or trade.out_trade_no
            existing = self.refunds.get(request_no)
            amount = Decimal(biz["refund_amount"])
            fund_change = "N"
            if existing is None:
                if amount <= 0 or trade.refunded + amount > trade.amount:
                    return self.business_error(method, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
                trade.refunded += amount
                if trade.refunded == trade.amount:
                    trade.status = "TRADE_CLOSED"
                self.refunds[request_no] = Refund(request_no, trade, amount)
                fund_change = "Y"
        return self.answer(
            method,
            {
                "code": "10000",
                "msg": "Success",
                "buyer_logon_id": "csq***@sandbox.com",
                "fund_change": fund_change,
                "gmt_refund_pay": _now().strftime("%Y-%m-%d %H:%M:%S"),
                "out_trade_no": trade.out_trade_no,
                "refund_fee": str(trade.refunded),
                "trade_no": trade.trade_no,
            },
        )

    # --- transfers (单笔转账) ----------------------------------------------------------------

    def _transfer(self, method: str, params: dict, biz: dict) -> Response:
        payee = biz.get("payee_info") or {}
        try:
            amount = Decimal(str(biz.get("trans_amount", "")))
        except ArithmeticError:
            amount = Decimal(0)
        if (
            biz.get("product_code") != "TRANS_ACCOUNT_NO_PWD"
            or biz.get("biz_scene") != "DIRECT_TRANSFER"
            or not biz.get("out_biz_no")
            or amount < Decimal("0.10")
            or amount.as_tuple().exponent < -2
        ):
            return self.business_error(method, "INVALID_PARAMETER", "参数有误")
        if payee.get("identity_type") != "ALIPAY_LOGON_ID" or not payee.get("name"):
            return self.business_error(method, "PAYEE_NOT_EXIST", "收款账号不存在或姓名有误")
        with self.lock:
            transfer = self.transfers.get(biz["out_biz_no"])
            if transfer is None:  # a new out_biz_no; the same one again is answered with the first transfer
                known = self.payees.get(payee.get("identity", ""))
                if known is None:
                    return self.business_error(method, "PAYEE_NOT_EXIST", "收款账号不存在")
                if known != payee["name"]:
                    return self.business_error(method, "PAYEE_USER_INFO_ERROR", "收款方姓名与账户不符")
                day = _now().strftime("%Y%m%d")
                transfer = self.transfers[biz["out_biz_no"]] = Transfer(
                    out_biz_no=biz["out_biz_no"],
                    order_id=day + "1100" + secrets.token_hex(6),
                    pay_fund_order_id=day + "1101" + secrets.token_hex(6),
                    identity=payee["identity"],
                    name=payee["name"],
                    amount=amount,
                )
            elif transfer.amount != amount or transfer.identity != payee.get("identity"):
                return self.business_error(method, "DUPLICATE_OUT_BIZ_NO", "商户订单号重复且参数不一致")
        return self.answer(
            method,
            {
                "code": "10000",
                "msg": "Success",
                "out_biz_no": transfer.out_biz_no,
                "order_id": transfer.order_id,
                "pay_fund_order_id": transfer.pay_fund_order_id,
                "status": transfer.status,
                "trans_date": transfer.at.strftime("%Y-%m-%d %H:%M:%S"),
            },
        )

    def _transfer_query(self, method: str, params: dict, biz: dict) -> Response:
        transfer = self.transfers.get(biz.get("out_biz_no", ""))
        if transfer is None:
            return self.business_error(method, "ORDER_NOT_EXIST", "转账订单不存在")
        payload = {
            "code": "10000",
            "msg": "Success",
            "out_biz_no": transfer.out_biz_no,
            "order_id": transfer.order_id,
            "pay_fund_order_id": transfer.pay_fund_order_id,
            "status": transfer.status,
            "trans_amount": str(transfer.amount),
            "pay_date": transfer.at.strftime("%Y-%m-%d %H:%M:%S"),
        }
        if transfer.fail_reason:
            payload["fail_reason"] = transfer.fail_reason
        return self.answer(method, payload)

    def _refund_query(self, method: str, params: dict, biz: dict) -> Response:
        refund = self.refunds.get(biz.get("out_request_no", ""))
        if refund is None:  # Alipay answers success with no refund_status: no such refund
            return self.answer(method, {"code": "10000", "msg": "Success", "out_request_no": biz.get("out_request_no")})
        return self.answer(
            method,
            {
                "code": "10000",
                "msg": "Success",
                "out_request_no": refund.out_request_no,
                "out_trade_no": refund.trade.out_trade_no,
                "refund_amount": str(refund.amount),
                "refund_status": "REFUND_SUCCESS",
                "total_amount": str(refund.trade.amount),
                "trade_no": refund.trade.trade_no,
            },
        )

    # --- bills --------------------------------------------------------------------------

    BILL_HEADER = (
        "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
        "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
        "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
    )

    def bill_rows(self, bill_date: str) -> list[list[str]]:
        rows = []
        for trade in self.trades.values():
            if trade.paid_at and trade.paid_at.date().isoformat() == bill_date:
                at = trade.paid_at.strftime("%Y-%m-%d %H:%M:%S")
                rows.append(
                    [trade.trade_no, trade.out_trade_no, "交易", trade.subject, at, at, "", "", "", "",
                     "csq***@sandbox.com", str(trade.amount), str(trade.amount), "0.00", "0.00", "0.00", "0.00",
                     "0.00", "", "0.00", "0.00", "", "-0.06", "0.00", ""]
                )  # fmt: skip
        for refund in self.refunds.values():
            if refund.at.date().isoformat() == bill_date:
                at, trade = refund.at.strftime("%Y-%m-%d %H:%M:%S"), refund.trade
                rows.append(
                    [trade.trade_no, trade.out_trade_no, "退款", trade.subject, at, at, "", "", "", "",
                     "csq***@sandbox.com", f"-{refund.amount}", f"-{refund.amount}", "0.00", "0.00", "0.00", "0.00",
                     "0.00", "", "0.00", "0.00", refund.out_request_no, "0.00", "0.00", ""]
                )  # fmt: skip
        return self.bill_doctor(rows) if self.bill_doctor else rows

    def _bill_url(self, method: str, params: dict, biz: dict) -> Response:
        bill_date = biz.get("bill_date", "")
        rows = self.bill_rows(bill_date)
        if not rows:
            return self.business_error(method, "isp.bill_not_exist", "账单不存在")
        day = bill_date.replace("-", "")
        detail = "\n".join(
            [f"#支付宝业务明细查询\n#账号：[{self.seller_id}0156]\n#起始日期：[{bill_date} 00:00:00]",
             "#-----------------------------------------业务明细列表----------------------------------------",
             self.BILL_HEADER, *(",".join(row) for row in rows),
             "#-----------------------------------------业务明细列表结束------------------------------------",
             f"#交易合计：{len(rows)}笔"]
        )  # fmt: skip
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            bundle.writestr(f"{self.seller_id}0156_{day}_业务明细.csv", detail.encode("gbk"))
            bundle.writestr(f"{self.seller_id}0156_{day}_业务明细(汇总).csv", "#汇总\n".encode("gbk"))
        token = secrets.token_urlsafe(12)
        self.bills[token] = buffer.getvalue()
        return self.answer(
            method,
            {"code": "10000", "msg": "Success", "bill_download_url": f"{self.url}/bill/download?token={token}"},
        )

    def _bill_download(self, request: Request, match) -> Response:
        content = self.bills.get(request.query.get("token", ""))
        if content is None:
            return Response(404, b"not found")
        return Response(200, content, {"Content-Type": "application/oct-stream"})

    routes = [
        ("GET", r"/gateway\.do", _gateway),
        ("POST", r"/gateway\.do", _gateway),
        ("POST", r"/cashier/pay", _cashier_pay),
        ("GET", r"/bill/download", _bill_download),
    ]
