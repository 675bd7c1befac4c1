"""The one way the platform writes CSV: every file people download goes
through ``spreadsheet_writer``, so no cell can smuggle a formula into the
spreadsheet that opens it (CSV/formula injection).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written with a leading single quote (OWASP's rule), so Excel, WPS
and LibreOffice show it as text instead of evaluating it: a recipient named
``=HYPERLINK("http://…","x")`` stays a name. Numbers the platform formats
itself (``int``, finite ``Decimal``) are written as they are, so a clawback's
``-12.00`` in a statement stays a number a spreadsheet can add up; everything
else, whoever typed it, is text and is escaped (docs/decisions.md).
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .money import fen_to_yuan

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def spreadsheet_cell(value: object) -> int | Decimal | str:
    """A value as it may safely appear in a cell: platform numbers as they
    are, anything else as text, quoted when a spreadsheet would read it as a
    formula."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class SpreadsheetWriter:
    """``csv.writer`` whose rows pass through ``spreadsheet_cell``;
    ``writerow`` answers what the file's ``write`` answers (so a writer over
    an echoing file yields rows one by one for a streaming response)."""

    def __init__(self, file: _Writable):
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[object]):
        return self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class _Echo:
    """A file whose ``write`` returns what it is given: rows as strings."""

    def write(self, text: str) -> str:
        return text


def spreadsheet_writer(file: _Writable | None = None) -> SpreadsheetWriter:
    """A writer into ``file``; without one, ``writerow`` returns each row as a
    string (for ``StreamingHttpResponse``)."""
    return SpreadsheetWriter(file if file is not None else _Echo())


# --- the admin's exports (django-import-export) ------------------------------------------


def _local_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class SpreadsheetResource(resources.Resource):
    """A django-import-export resource for the admin lists' exports (CSV and
    Excel, ``IMPORT_EXPORT_FORMATS``): every cell passes through
    ``spreadsheet_cell`` like the platform's own files, so a typed name never
    becomes a formula and money stays a number. Declare the columns with
    ``text_column``, ``yuan_column`` and ``time_column``; headers are the
    translated labels."""

    @classmethod
    def get_display_name(cls) -> str:  # the export page asks (ModelResource has it; only one resource is offered)
        return cls.__name__

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_cell(super().export_field(field, instance, **kwargs))


def _path_value(instance, path: str):
    for part in path.split("__"):
        if instance is None:
            return None
        instance = getattr(instance, part)
    return instance() if callable(instance) else instance


def text_column(path: str, label) -> fields.Field:
    """``path`` (``buyer__phone``, ``get_status_display``) as text or a number."""
    return fields.Field(column_name=label, dehydrate_method=lambda instance: _path_value(instance, path))


def yuan_column(path: str, label) -> fields.Field:
    """A money column (integer fen) as a number of yuan, headed "<label> (元)"."""
    return fields.Field(
        column_name=format_lazy(_("{label} (yuan)"), label=label),
        dehydrate_method=lambda instance: fen_to_yuan(_path_value(instance, path) or 0),
    )


def time_column(path: str, label) -> fields.Field:
    """A moment as Beijing time, ``2026-12-05 09:30:00``; empty when none."""
    return fields.Field(column_name=label, dehydrate_method=lambda instance: _local_time(_path_value(instance, path)))
