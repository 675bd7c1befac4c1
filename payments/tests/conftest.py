from .fixtures import alipay, alipay_gateway, gateways, wechat, wechat_gateway  # noqa: F401
