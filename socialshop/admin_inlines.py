"""Admin pieces every domain app's admin shares."""

from django.contrib import admin
from import_export.admin import ExportActionMixin
from import_export.forms import SelectableFieldsExportForm

from .money import format_yuan


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


def yuan_field(name: str, description, *, sortable: bool = True):
    """A money column (integer fen) as operators read it, ``¥1,234.50``: for
    ``list_display``, ``readonly_fields`` and read-only inlines' ``fields``,
    in place of the column's name (which would show the fen). ``sortable``:
    ``name`` is a column the list can be ordered by (not a property)."""

    @admin.display(description=description, ordering=name if sortable else None)
    def show(obj):
        amount = getattr(obj, name)
        return "—" if amount is None else format_yuan(amount)

    show.__name__ = f"{name}_yuan"
    return show


def in_yuan(names, money: dict) -> list:
    """``names`` with each money column named in ``money`` (name → its
    ``yuan_field``) swapped for that field."""
    return [money.get(name, name) for name in names]


class ColumnsExportForm(SelectableFieldsExportForm):
    """The export page's column boxes labelled with the columns' (Chinese)
    headers alone, not the attribute's English name beside them."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


class SpreadsheetExportAdmin(ExportActionMixin):
    """Puts django-import-export's export on an admin list: 导出 above the
    list (the whole list as filtered) and 导出所选 among the actions, as
    Excel or CSV (``IMPORT_EXPORT_FORMATS``), through the admin's
    ``resource_classes`` (a ``socialshop.csvexport.SpreadsheetResource``:
    Chinese headers, yuan, no formula). Exporting needs the model's view
    permission. The change pages stay the admin's own (no export button)."""

    show_change_form_export = False
    change_form_template = None
    export_form_class = ColumnsExportForm
