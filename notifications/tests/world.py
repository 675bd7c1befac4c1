"""What the notification tests share: WeChat's message API played by the
local fake, the people of one order and one withdrawal, and what each of
them received in each channel (read from the channels themselves)."""

from collections import Counter
from dataclasses import dataclass

from django.core import mail

from accounts.choices import WechatApp
from accounts.models import WechatIdentity
from accounts.sms import console
from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.services import supplier_staff_add
from distribution.tests.factories import ResellerFactory
from notifications.kinds import KINDS
from notifications.models import Message
from orders.tests.factories import shop_selling
from sandbox.fakes.wechat_messages import FakeWechatMessages
from shops.tests.factories import ShopFactory

MP_APP_ID, MP_SECRET = "wx3333333333333333", "mp-secret-notifications-0123456789ab"
TEMPLATE_ID = "TPL-notice-0001"


def wechat_fake_start(settings) -> FakeWechatMessages:
    fake = FakeWechatMessages(app_id=MP_APP_ID, secret=MP_SECRET).start()
    settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET = MP_APP_ID, MP_SECRET
    settings.WECHAT_API_URL = fake.url
    settings.NOTIFICATIONS_WECHAT_TEMPLATE_ID = TEMPLATE_ID
    settings.SMS_PROVIDER = "accounts.sms.console.ConsoleSmsProvider"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    console.notices.clear()
    return fake


def link_wechat(user, fake: FakeWechatMessages) -> str:
    openid = f"o-{user.pk}-{user.phone}"
    WechatIdentity.objects.create(user=user, app=WechatApp.OFFICIAL_ACCOUNT, app_id=MP_APP_ID, openid=openid)
    fake.openids.add(openid)
    return openid


@dataclass
class People:
    buyer: object
    seller: object  # the shop owner's Reseller
    parent: object
    supplier_staff: object
    operator: object
    shop: object
    sku: object


def people(fake: FakeWechatMessages) -> People:
    parent = ResellerFactory()
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    buyer = UserFactory()
    staff = UserFactory(email="ship@supplier.example.com")
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    operator = OperatorFactory(email="ops@socialshop.example.com")
    for user in (buyer, seller.user, parent.user):
        link_wechat(user, fake)
    return People(buyer, seller, parent, staff, operator, shop, sku)


def kind_of_title(title: str) -> str:
    """Which kind a message is, from its rendered title (each kind's title starts differently)."""
    found = [code for code in KINDS if Message.objects.filter(title=title, kind=code).exists()]
    return found[0] if found else "?"


def received(fake: FakeWechatMessages, outbox=None) -> Counter:
    """(user id, kind, channel) → how many times, read from each channel."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    got: Counter = Counter()
    for user_id, kind in Message.objects.values_list("recipient_id", "kind"):
        got[(user_id, kind, "inbox")] += 1
    for message in fake.messages:
        identity = WechatIdentity.objects.get(openid=message.openid)
        got[(identity.user_id, kind_of_title(message.title), "wechat")] += 1
    for notice in console.notices:
        user = users.get(phone=notice.phone)
        got[(user.pk, _kind_of_body(notice.text), "sms")] += 1
    for email in outbox if outbox is not None else mail.outbox:
        user = users.get(email=email.to[0])
        got[(user.pk, kind_of_title(email.subject), "email")] += 1
    return got


def _kind_of_body(text: str) -> str:
    found = [code for code in KINDS if Message.objects.filter(body=text, kind=code).exists()]
    return found[0] if found else "?"
