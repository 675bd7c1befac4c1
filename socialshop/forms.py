"""Form fields every app's pages share (the browser-side twin of socialshop.api.fields)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .money import InvalidAmount, fen_to_yuan, yuan_to_fen

MAX_TYPED_LENGTH = 16


class YuanField(forms.Field):
    """Money typed in yuan (``"12.5"``, ``"¥1,012.50"``), cleaned to integer fen
    (None when left blank). Refuses negatives and a third decimal with a clear
    message, never rounds."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _('Enter an amount in yuan with at most two decimals, e.g. "12.50".')}

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "maxlength": str(MAX_TYPED_LENGTH)}

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(fen_to_yuan(value))
        return value

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # already fen (initial data)
        text = str(value).replace("¥", "").replace(",", "").strip()
        if len(text) > MAX_TYPED_LENGTH:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return yuan_to_fen(text)
        except InvalidAmount as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


def query_text(request, name: str, *, max_length: int = 100) -> str:
    """A text query parameter as pages read it (search words, a category
    slug, a code): trimmed, cut to ``max_length``, and empty when it holds a
    NUL character, which no database accepts in a query."""
    value = request.GET.get(name, "")
    return "" if "\x00" in value else value.strip()[:max_length]
