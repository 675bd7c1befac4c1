"""Operators' side of the catalogue: onboarding suppliers and their staff,
and reviewing products (draft → on sale → off sale) through the services."""

from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from socialshop.admin_inlines import ReadOnlyInline, yuan_field
from socialshop.errors import DomainError

from .choices import ProductStatus
from .forms import StaffInviteForm, SupplierOnboardForm
from .models import Category, Product, ProductImage, ProductStatusChange, Sku, Supplier, SupplierMembership
from .services import product_set_status, supplier_onboard, supplier_staff_invite


class SupplierMembershipInline(ReadOnlyInline):
    """Read-only here: staff are added with "Add staff" (catalog.services)."""

    model = SupplierMembership
    fields = ("user", "created_at")


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "contact_phone", "is_active", "staff_link", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_name", "contact_phone")
    inlines = [SupplierMembershipInline]
    change_list_template = "admin/catalog/supplier/change_list.html"

    def get_urls(self):
        return [
            path("onboard/", self.admin_site.admin_view(self.onboard_view), name="catalog_supplier_onboard"),
            path(
                "<int:supplier_id>/staff/",
                self.admin_site.admin_view(self.staff_view),
                name="catalog_supplier_staff",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:catalog_supplier_onboard")

    @admin.display(description=_("staff"))
    def staff_link(self, supplier):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:catalog_supplier_staff", args=[supplier.pk]), _("Add staff")
        )

    def _form_page(self, request, form, title, supplier=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": title,
            "supplier": supplier,
        }
        return TemplateResponse(request, "admin/catalog/supplier/onboard.html", context)

    def onboard_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = SupplierOnboardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    supplier = supplier_onboard(**form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Supplier “%(name)s” onboarded.") % {"name": supplier.name})
                return redirect("admin:catalog_supplier_change", supplier.pk)
        return self._form_page(request, form, _("Onboard a supplier"))

    def staff_view(self, request, supplier_id):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        supplier = get_object_or_404(Supplier, pk=supplier_id)
        form = StaffInviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                supplier_staff_invite(
                    supplier=supplier,
                    phone=data["staff_phone"],
                    nickname=data["staff_nickname"],
                    password=data["staff_password"] or None,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Staff added."))
                return redirect("admin:catalog_supplier_change", supplier.pk)
        return self._form_page(request, form, _("Add staff to %(name)s") % {"name": supplier.name}, supplier)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


class SkuInline(ReadOnlyInline):
    """Suppliers edit their SKUs in the supplier portal; operators look."""

    model = Sku
    fields = (
        "code",
        "spec",
        yuan_field("cost_amount", _("supplier cost")),
        yuan_field("min_resale_amount", _("lowest resale price")),
        yuan_field("list_price_amount", _("list price")),
        yuan_field("max_resale_amount", _("highest resale price")),
        "stock",
        "is_active",
    )


class ProductImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ("preview", "position")

    @admin.display(description=_("image"))
    def preview(self, image):
        return format_html('<img src="{}" width="80" height="80" style="object-fit:cover">', image.thumbnail.url)


class ProductStatusChangeInline(ReadOnlyInline):
    model = ProductStatusChange
    fields = ("changed_at", "from_status", "to_status", "changed_by")


def _review_action(status: str, description):
    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        moved, refused = 0, []
        for product in queryset:
            try:
                product_set_status(product=product, status=status, by=request.user)
                moved += 1
            except DomainError as error:
                refused.append(f"{product.title}: {error.message}")
        if moved:
            modeladmin.message_user(request, _("%(count)d product(s) updated.") % {"count": moved})
        for line in refused:
            modeladmin.message_user(request, line, level=messages.WARNING)

    action.__name__ = f"make_{status}"
    return action


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Review queue: filter by status "Draft", look, then put on sale (actions)."""

    list_display = ("title", "supplier", "category", "status", "updated_at")
    list_filter = ("status", "category", "supplier")
    search_fields = ("title",)
    list_select_related = ("supplier", "category")
    fields = ("supplier", "category", "title", "description", "status", "created_at", "updated_at")
    readonly_fields = fields  # what suppliers wrote; operators change the status with the actions
    inlines = [SkuInline, ProductImageInline, ProductStatusChangeInline]
    actions = [
        _review_action(ProductStatus.ON_SALE, _("Put on sale (approve)")),
        _review_action(ProductStatus.OFF_SALE, _("Take off sale")),
        _review_action(ProductStatus.DRAFT, _("Send back to draft")),
    ]

    def has_add_permission(self, request):
        return False  # suppliers create products in their portal
