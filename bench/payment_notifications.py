"""What verifying a gateway's notification costs, beside reading its body.

    .venv/bin/python bench/payment_notifications.py      # a few seconds; no database

With keys made on the spot by the fakes (``sandbox/fakes/``), it times, over
``N`` runs each: ``WeChatPayProvider.notice_parse`` (the header checks, the
RSA-SHA256 signature, the AES-256-GCM decryption, the resource read),
``AlipayProvider.notice_parse`` (the form read, the RSA2 signature), and, as
the baseline, ``json.loads`` of the WeChat body. Nothing is applied: the
webhook's database work comes after and is the same for every gateway.
"""

import datetime
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialshop.settings.test")

import django  # noqa: E402

django.setup()

import json  # noqa: E402

from django.conf import settings  # noqa: E402

from payments.alipay import AlipayProvider  # noqa: E402
from payments.wechatpay import WeChatPayProvider  # noqa: E402
from sandbox.fakes.alipay import FakeAlipay  # noqa: E402
from sandbox.fakes.alipay import Trade as AlipayTrade  # noqa: E402
from sandbox.fakes.wechatpay import FakeWeChatPay, Trade  # noqa: E402

N = 200


def per_call_ms(call) -> float:
    started = time.perf_counter()
    for _ in range(N):
        call()
    return (time.perf_counter() - started) / N * 1000


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    wechat, alipay = FakeWeChatPay(), FakeAlipay()
    files = {
        "WECHATPAY_PRIVATE_KEY_FILE": wechat.merchant_key.private_pem,
        "WECHATPAY_APIV3_KEY_FILE": wechat.apiv3_key,
        "WECHATPAY_PUBLIC_KEY_FILE": wechat.platform_key.public_pem,
        "ALIPAY_APP_PRIVATE_KEY_FILE": alipay.app_key.private_pem,
        "ALIPAY_PUBLIC_KEY_FILE": alipay.alipay_key.public_pem,
    }
    for name, text in files.items():
        (folder / name).write_text(text)
        setattr(settings, name, str(folder / name))
    settings.WECHATPAY_MCHID, settings.WECHATPAY_APPID = wechat.mchid, wechat.appid
    settings.WECHATPAY_CERT_SERIAL_NO, settings.WECHATPAY_PUBLIC_KEY_ID = wechat.merchant_serial, wechat.public_key_id
    settings.ALIPAY_APP_ID = alipay.app_id

    now = datetime.datetime.now(datetime.UTC)
    trade = Trade("P1", "H5", 12900, "CNY", "订单", "http://x/", wechat.appid, "wx1", "c", state="SUCCESS",
                  transaction_id="4200", success_time=now)  # fmt: skip
    body, headers = wechat.notification(
        event_type="TRANSACTION.SUCCESS",
        original_type="transaction",
        resource=wechat.transaction(trade),
        summary="支付成功",
    )
    paid = AlipayTrade("P1", Decimal("129.00"), "订单", "http://x/", "http://x/", "QUICK_WAP_PAY",
                       "alipay.trade.wap.pay", status="TRADE_SUCCESS", trade_no="2026",
                       paid_at=now.replace(tzinfo=None))  # fmt: skip
    form, _headers = alipay.notification(paid)

    wechat_ms = per_call_ms(lambda: WeChatPayProvider().notice_parse(body=body, headers=headers))
    alipay_ms = per_call_ms(lambda: AlipayProvider().notice_parse(body=form, headers={}))
    baseline_ms = per_call_ms(lambda: json.loads(body))
    print(f"WeChat Pay notification verified and decrypted: {wechat_ms:.2f} ms")
    print(f"Alipay notification verified:                   {alipay_ms:.2f} ms")
    print(f"baseline, json.loads of the WeChat body:        {baseline_ms:.3f} ms   (n={N} each)")


if __name__ == "__main__":
    main()
