"""Local fakes of the real gateways, speaking their protocols (docs/payments.md).

Each is a small ``http.server`` app the tests start on a local port, with keys
generated at test time: it checks our requests' signatures as the gateway
does, answers signed responses, keeps the trades and refunds, serves the
pages a buyer sees there, sends signed (and, for WeChat Pay, encrypted)
notifications to our notify URLs, and serves daily bills. The real
libraries (``wechatpayv3``, ``python-alipay-sdk``) talk to them through
``WECHATPAY_API_BASE`` / ``ALIPAY_GATEWAY``.

Routes are tables (``FakeGateway.routes``): a transfer endpoint (WeChat's
商家转账, Alipay's 单笔转账) is one more entry and one more state table.
"""
