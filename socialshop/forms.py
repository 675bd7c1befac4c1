"""Form fields every app's pages share (the browser-side twin of socialshop.api.fields)."""

from django import forms
from django.core.exceptions import ValidationError

from .money import InvalidAmount, fen_to_yuan, yuan_to_fen

MAX_TYPED_LENGTH = 16  # "9999999999999.99": the largest amount the platform takes


class YuanField(forms.Field):
    """Money typed in yuan, cleaned to integer fen (None when left blank):
    the same grammar as the API (``socialshop.money.yuan_to_fen``), after
    trimming the spaces around what was typed as every text field does.
    ``positive`` refuses 0. Each refusal says why, never rounds."""

    widget = forms.TextInput

    def __init__(self, *, positive: bool = False, **kwargs):
        self.positive = positive
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "maxlength": str(MAX_TYPED_LENGTH)}

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(fen_to_yuan(value))
        return value

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # already fen (initial data)
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            return yuan_to_fen(str(value).strip(), positive=self.positive)
        except InvalidAmount as error:
            raise ValidationError(error.message, code=error.code) from error


def query_text(request, name: str, *, max_length: int = 100) -> str:
    """A text query parameter as pages read it (search words, a category
    slug, a code): trimmed, cut to ``max_length``, and empty when it holds a
    NUL character, which no database accepts in a query."""
    value = request.GET.get(name, "")
    return "" if "\x00" in value else value.strip()[:max_length]
