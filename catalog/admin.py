from django.contrib import admin

from .models import Category, Product, ProductImage, Sku, Supplier, SupplierMembership


class SupplierMembershipInline(admin.TabularInline):
    model = SupplierMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "contact_phone", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_name", "contact_phone")
    inlines = [SupplierMembershipInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = (
        "code",
        "spec",
        "cost_amount",
        "min_resale_amount",
        "list_price_amount",
        "max_resale_amount",
        "stock",
        "is_active",
    )


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("image", "thumbnail", "position")
    readonly_fields = ("image", "thumbnail")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "supplier", "category", "status", "updated_at")
    list_filter = ("status", "category", "supplier")
    search_fields = ("title",)
    list_select_related = ("supplier", "category")
    inlines = [SkuInline, ProductImageInline]
