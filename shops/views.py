"""The public storefront (/s/<slug>/…) and a reseller's own shop pages (/my-shop/…).

Pages work without JavaScript: filters and the SKU picker are plain GET
forms and links, every change is a POST form that redirects."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from catalog.images import upload_read
from catalog.models import Product
from coupons.selectors import coupons_claimable, coupons_with_held
from distribution.models import Reseller
from socialshop.errors import DomainError, NotFound
from socialshop.forms import query_text

from .choices import ShopStatus
from .forms import PickPricesForm, ShopEditForm, ShopOpenForm
from .models import ShopProduct
from .posters import poster_get_or_create, product_poster_content, shop_poster_content
from .selectors import (
    product_card,
    shop_categories,
    shop_for_user,
    shop_get_by_slug,
    shop_is_public,
    shop_pick_get_visible,
    shop_picks_for_owner,
    shop_picks_visible,
)
from .services import (
    shop_open,
    shop_pick_place,
    shop_pick_product,
    shop_pick_remove,
    shop_pick_set_hidden,
    shop_pick_update,
    shop_set_status,
    shop_update,
)
from .sharing import POSTER_CHANNEL, absolute, last_shop_remember, product_share_path, shop_share_path
from .visits import shop_visit_note

STOREFRONT_PAGE_SIZE = 20
LOW_STOCK = 10  # from here down the product page says how many are left
CATALOGUE_PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 50


# --- the public storefront ------------------------------------------------------


def _search_words(request) -> str:
    return query_text(request, "q", max_length=SEARCH_MAX_LENGTH)


def _shop_or_page(request, slug: str):
    """(shop, None) when the storefront can show it, else (None, a clear page)."""
    shop = shop_get_by_slug(slug=slug)
    if shop is None:
        return None, render(request, "shops/storefront/missing.html", {"slug": slug}, status=404)
    if not shop_is_public(shop):
        # closed, suspended, or its owner frozen: a page that says so, not an error
        suspended = shop.status == ShopStatus.SUSPENDED
        return None, render(request, "shops/storefront/unavailable.html", {"shop": shop, "suspended": suspended})
    return shop, None


def storefront(request, slug: str):
    shop, page = _shop_or_page(request, slug)
    if page:
        return page
    category = query_text(request, "category")
    query = _search_words(request)
    picks = shop_picks_visible(shop=shop, category_slug=category or None, query=query or None)
    page_obj = Paginator(picks, STOREFRONT_PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [product_card(pick) for pick in page_obj.object_list]
    response = render(
        request,
        "shops/storefront/shop.html",
        {
            "shop": shop,
            "cards": cards,
            "page_obj": page_obj,
            "categories": list(shop_categories(shop=shop)),
            "current_category": category,
            "query": query,
            "is_owner": request.user.is_authenticated and shop.owner.user_id == request.user.pk,
        },
    )
    return shop_visit_note(request, last_shop_remember(response, shop), shop=shop)


def shop_categories_page(request, slug: str):
    """分类: the shop's categories, each leading to its products."""
    shop, page = _shop_or_page(request, slug)
    if page:
        return page
    response = render(
        request,
        "shops/storefront/categories.html",
        {"shop": shop, "categories": list(shop_categories(shop=shop))},
    )
    return last_shop_remember(response, shop)


PRODUCT_COUPONS = 5  # how many coupons a product page offers


def product_page(request, slug: str, product_id: int):
    shop, page = _shop_or_page(request, slug)
    if page:
        return page
    try:
        pick = shop_pick_get_visible(shop=shop, product_id=product_id)
    except NotFound:
        return render(request, "shops/storefront/product_missing.html", {"shop": shop}, status=404)
    card = product_card(pick)
    selected = None
    wanted = query_text(request, "sku", max_length=20)
    if wanted.isascii() and wanted.isdigit():
        selected = next((offer for offer in card.offers if offer.sku.id == int(wanted)), None)
    if selected is None:
        selected = next((offer for offer in card.offers if offer.in_stock), card.offers[0])
    response = render(
        request,
        "shops/storefront/product.html",
        {
            "shop": shop,
            "card": card,
            "product": card.product,
            "offers": card.offers,
            "options": [(offer, _stock_hint(offer.sku.stock)) for offer in card.offers],
            "selected": selected,
            "selected_stock_hint": _stock_hint(selected.sku.stock),
            "low_stock": LOW_STOCK,
            # coupons: the ones that reach this product, to claim here (领取)
            "product_coupons": coupons_with_held(
                coupons_claimable(product=card.product)[:PRODUCT_COUPONS], user=request.user
            ),
        },
    )
    return shop_visit_note(request, last_shop_remember(response, shop), shop=shop, product_id=card.product.pk)


def _stock_hint(stock: int) -> str:
    """What the product page says of an option's stock (reported, not reserved)."""
    if stock <= 0:
        return _("Sold out")
    if stock <= LOW_STOCK:
        return ngettext("Only %(count)d left", "Only %(count)d left", stock) % {"count": stock}
    return _("In stock")


def shop_share(request, slug: str):
    shop, page = _shop_or_page(request, slug)
    if page:
        return page
    return render(
        request,
        "shops/storefront/share.html",
        {
            "shop": shop,
            "share_link": absolute(request, shop_share_path(shop)),
            "poster_url": reverse("shops:poster", args=[shop.slug]),
            "back_url": reverse("shops:storefront", args=[shop.slug]),
            "title": shop.name,
        },
    )


def product_share(request, slug: str, product_id: int):
    shop, page = _shop_or_page(request, slug)
    if page:
        return page
    try:
        pick = shop_pick_get_visible(shop=shop, product_id=product_id)
    except NotFound:
        return render(request, "shops/storefront/product_missing.html", {"shop": shop}, status=404)
    return render(
        request,
        "shops/storefront/share.html",
        {
            "shop": shop,
            "share_link": absolute(request, product_share_path(shop, product_id)),
            "poster_url": reverse("shops:product_poster", args=[shop.slug, product_id]),
            "back_url": reverse("shops:product", args=[shop.slug, product_id]),
            "title": pick.product.title,
        },
    )


def _png(data: bytes, digest: str) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["ETag"] = f'"{digest}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def shop_poster(request, slug: str):
    shop, page = _shop_or_page(request, slug)
    if page:
        raise Http404
    cards = [product_card(pick) for pick in shop_picks_visible(shop=shop)[:4]]
    content = shop_poster_content(
        shop=shop, cards=cards, link=absolute(request, shop_share_path(shop, channel=POSTER_CHANNEL))
    )
    data, digest = poster_get_or_create(content, folder=f"posters/{shop.pk}", stem="shop")
    return _png(data, digest)


def product_poster(request, slug: str, product_id: int):
    shop, page = _shop_or_page(request, slug)
    if page:
        raise Http404
    try:
        card = product_card(shop_pick_get_visible(shop=shop, product_id=product_id))
    except NotFound as error:
        raise Http404 from error
    content = product_poster_content(
        shop=shop, card=card, link=absolute(request, product_share_path(shop, product_id, channel=POSTER_CHANNEL))
    )
    data, digest = poster_get_or_create(content, folder=f"posters/{shop.pk}", stem=f"product-{product_id}")
    return _png(data, digest)


# --- the reseller's own shop ------------------------------------------------------


def reseller_required(view):
    """Log-in required, then an active reseller (``request.reseller``); others
    see a page that explains who can open a shop."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        reseller = Reseller.objects.filter(user=request.user).first()
        if reseller is None or not reseller.is_active:
            return render(request, "shops/manage/not_reseller.html", {"reseller": reseller}, status=403)
        request.reseller = reseller
        return view(request, *args, **kwargs)

    return wrapper


def own_shop_required(view):
    """A reseller with a shop (``request.shop``); without one, to the opening form."""

    @reseller_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        shop = shop_for_user(user=request.user)
        if shop is None:
            return redirect("shops:open")
        request.shop = shop
        return view(request, *args, **kwargs)

    return wrapper


def _own_pick(request, pick_id: int) -> ShopProduct:
    pick = ShopProduct.objects.select_related("shop", "product").filter(shop=request.shop, pk=pick_id).first()
    if pick is None:
        raise Http404  # another shop's pick answers like a missing one
    return pick


def _avatar_bytes(form) -> bytes | None:
    return upload_read(form.cleaned_data.get("avatar"))


@reseller_required
@require_http_methods(["GET", "POST"])
def open_shop(request):
    if shop_for_user(user=request.user) is not None:
        return redirect("shops:manage")
    form = ShopOpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                shop_open(
                    owner=request.reseller,
                    name=data["name"],
                    slug=data["slug"],
                    intro=data["intro"],
                    avatar=_avatar_bytes(form),
                )
            except ValidationError as error:
                form.add_error("avatar", error)
            except DomainError as error:
                form.add_error("slug" if "slug" in error.fields else None, error.message)
            else:
                messages.success(request, _("Your shop is open! Now pick some products to sell."))
                return redirect("shops:manage")
        return render(request, "shops/manage/open.html", {"form": form}, status=400)
    return render(request, "shops/manage/open.html", {"form": form})


@own_shop_required
def manage(request):
    shop = request.shop
    picks = list(shop_picks_for_owner(shop=shop))
    visible_ids = set(shop_picks_visible(shop=shop).values_list("pk", flat=True))
    rows = [{"card": product_card(pick), "visible": pick.pk in visible_ids} for pick in picks]
    return render(
        request,
        "shops/manage/dashboard.html",
        {
            "shop": shop,
            "rows": rows,
            "share_link": absolute(request, shop_share_path(shop)),
            "is_public": shop_is_public(shop),
        },
    )


@own_shop_required
@require_http_methods(["GET", "POST"])
def edit_shop(request):
    shop = request.shop
    initial = {"name": shop.name, "intro": shop.intro}
    form = ShopEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                shop_update(
                    shop=shop,
                    name=form.cleaned_data["name"],
                    intro=form.cleaned_data["intro"],
                    avatar=_avatar_bytes(form),
                    remove_avatar=request.POST.get("avatar-clear") == "on",
                )
            except ValidationError as error:
                form.add_error("avatar", error)
            else:
                messages.success(request, _("Saved."))
                return redirect("shops:manage")
        return render(request, "shops/manage/edit.html", {"form": form, "shop": shop}, status=400)
    return render(request, "shops/manage/edit.html", {"form": form, "shop": shop})


@own_shop_required
@require_POST
def set_open(request):
    """The owner closes its shop for a while, or opens it again."""
    status = ShopStatus.OPEN if request.POST.get("open") == "1" else ShopStatus.CLOSED
    try:
        shop_set_status(shop=request.shop, status=status, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your shop is open.") if status == ShopStatus.OPEN else _("Your shop is closed."))
    return redirect("shops:manage")


@own_shop_required
@require_POST
def pick_add(request, product_id: int):
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise Http404
    try:
        shop_pick_product(shop=request.shop, product=product)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” is in your shop.") % {"title": product.title})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)  # 选品 (the commissions app's page, above this one) sends itself as ``next``
    return redirect("shops:manage")


@own_shop_required
@require_http_methods(["GET", "POST"])
def pick_edit(request, pick_id: int):
    pick = _own_pick(request, pick_id)
    loaded = shop_picks_for_owner(shop=request.shop).get(pk=pick.pk)
    card = product_card(loaded)
    form = PickPricesForm(request.POST or None, offers=card.offers, initial={"is_hidden": pick.is_hidden})
    if request.method == "POST":
        if form.is_valid():
            try:
                shop_pick_update(pick=pick, prices=form.prices(), is_hidden=form.cleaned_data["is_hidden"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Prices saved."))
                return redirect("shops:manage")
        return render(request, "shops/manage/pick.html", {"card": card, "form": form, "pick": pick}, status=400)
    return render(request, "shops/manage/pick.html", {"card": card, "form": form, "pick": pick})


@own_shop_required
@require_POST
def pick_move(request, pick_id: int):
    pick = _own_pick(request, pick_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    shop_pick_place(pick=pick, position=max(0, pick.position + step))
    return redirect(f"{reverse('shops:manage')}#pick-{pick.pk}")


@own_shop_required
@require_POST
def pick_toggle_hidden(request, pick_id: int):
    pick = _own_pick(request, pick_id)
    shop_pick_set_hidden(pick=pick, hidden=not pick.is_hidden)
    return redirect(f"{reverse('shops:manage')}#pick-{pick.pk}")


@own_shop_required
@require_http_methods(["GET", "POST"])
def pick_remove(request, pick_id: int):
    """Removing a pick asks first: the dashboard's link opens this page (no
    script needed), whose button removes it."""
    pick = _own_pick(request, pick_id)
    if request.method == "GET":
        return render(request, "shops/manage/pick_remove.html", {"pick": pick})
    title = pick.product.title
    shop_pick_remove(pick=pick)
    messages.success(request, _("“%(title)s” was removed from your shop.") % {"title": title})
    return redirect("shops:manage")
