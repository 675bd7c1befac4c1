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
