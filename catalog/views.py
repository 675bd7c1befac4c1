"""The supplier portal (desktop pages for supplier staff): products, SKUs, pictures."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialshop.errors import DomainError, NotFound

from .choices import ProductStatus
from .forms import ImageUploadForm, ProductForm, SkuForm
from .models import ProductImage, Sku
from .selectors import product_get_for_supplier, product_list_for_supplier, supplier_for_user
from .services import (
    product_create,
    product_image_add,
    product_image_delete,
    product_set_status,
    product_update,
    sku_create,
    sku_update,
)


def supplier_staff_required(view):
    """Log-in required; then only supplier staff, acting for their own supplier
    (``request.supplier``). Another supplier's product answers 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        supplier = supplier_for_user(user=request.user)
        if supplier is None:
            raise PermissionDenied
        request.supplier = supplier
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404 from error

    return wrapper


def form_add_domain_error(form, error: DomainError) -> None:
    """A service's refusal shown on the form: on the fields it names, else on top."""
    placed = False
    for name, field_messages in error.fields.items():
        if name in form.fields:
            for message in field_messages if isinstance(field_messages, list) else [field_messages]:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


@supplier_staff_required
def product_list(request):
    status = request.GET.get("status", "")
    products = product_list_for_supplier(supplier=request.supplier)
    if status in ProductStatus.values:
        products = products.filter(status=status)
    return render(
        request,
        "catalog/portal/product_list.html",
        {"products": products, "statuses": ProductStatus.choices, "current_status": status},
    )


@supplier_staff_required
@require_http_methods(["GET", "POST"])
def product_new(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = product_create(supplier=request.supplier, **form.cleaned_data)
        messages.success(request, _("Product created as a draft. Add its SKUs and pictures."))
        return redirect("catalog:product_detail", product_id=product.pk)
    return render(request, "catalog/portal/product_form.html", {"form": form})


def _product_page(request, product, *, form=None, image_form=None, status=200):
    return render(
        request,
        "catalog/portal/product_detail.html",
        {
            "product": product,
            "form": form or ProductForm(instance=product),
            "image_form": image_form or ImageUploadForm(),
            "skus": product.skus.order_by("id"),
            "images": product.ordered_images,
            "history": product.status_changes.select_related("changed_by")[:10],
        },
        status=status,
    )


@supplier_staff_required
@require_http_methods(["GET", "POST"])
def product_detail(request, product_id: int):
    product = product_get_for_supplier(supplier=request.supplier, product_id=product_id)
    if request.method == "POST":
        form = ProductForm(request.POST, instance=product)
        if form.is_valid():
            product_update(product=product, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("catalog:product_detail", product_id=product.pk)
        return _product_page(request, product, form=form, status=400)
    return _product_page(request, product)


@supplier_staff_required
@require_POST
def product_image_upload(request, product_id: int):
    product = product_get_for_supplier(supplier=request.supplier, product_id=product_id)
    image_form = ImageUploadForm(request.POST, request.FILES)
    if image_form.is_valid():
        try:
            product_image_add(product=product, data=image_form.cleaned_data["image"].read())
        except ValidationError as error:
            image_form.add_error("image", error)
        else:
            messages.success(request, _("Picture added."))
            return redirect("catalog:product_detail", product_id=product.pk)
    return _product_page(request, product, image_form=image_form, status=400)


@supplier_staff_required
@require_POST
def product_image_remove(request, product_id: int, image_id: int):
    product = product_get_for_supplier(supplier=request.supplier, product_id=product_id)
    image = ProductImage.objects.filter(product=product, pk=image_id).first()
    if image is None:
        raise Http404
    product_image_delete(image=image)
    messages.success(request, _("Picture removed."))
    return redirect("catalog:product_detail", product_id=product.pk)


@supplier_staff_required
@require_POST
def product_take_off_sale(request, product_id: int):
    """A supplier may stop selling its product; putting it on sale is the operators' review."""
    product = product_get_for_supplier(supplier=request.supplier, product_id=product_id)
    try:
        product_set_status(product=product, status=ProductStatus.OFF_SALE, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The product is off sale."))
    return redirect("catalog:product_detail", product_id=product.pk)


@supplier_staff_required
@require_http_methods(["GET", "POST"])
def sku_edit(request, product_id: int, sku_id: int | None = None):
    product = product_get_for_supplier(supplier=request.supplier, product_id=product_id)
    sku = None
    if sku_id is not None:
        sku = Sku.objects.filter(product=product, pk=sku_id).first()
        if sku is None:
            raise Http404
    initial = SkuForm.initial_from(sku) if sku else {"is_active": True, "stock": 0}
    form = SkuForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                if sku is None:
                    sku_create(product=product, sku=form.sku_input())
                else:
                    sku_update(sku=sku, data=form.sku_input())
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, _("SKU saved."))
                return redirect("catalog:product_detail", product_id=product.pk)
        return render(
            request, "catalog/portal/sku_form.html", {"form": form, "product": product, "sku": sku}, status=400
        )
    return render(request, "catalog/portal/sku_form.html", {"form": form, "product": product, "sku": sku})
