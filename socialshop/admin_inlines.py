"""Admin pieces every domain app's admin shares."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows the admin shows but never writes: services are their only
    writers (audit rows, a supplier's SKUs, a shop's picks …)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services: operators read them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
