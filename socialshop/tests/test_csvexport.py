import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialshop.csvexport import FORMULA_TRIGGERS, spreadsheet_cell, spreadsheet_writer

ROOT = Path(__file__).resolve().parents[2]


def _read_back(row: list) -> list[str]:
    buffer = io.StringIO()
    spreadsheet_writer(buffer).writerow(row)
    [cells] = csv.reader(io.StringIO(buffer.getvalue()))
    return cells


@given(text=st.text())
def test_no_text_cell_starts_a_formula_and_the_text_is_kept_behind_one_quote(text):
    [cell] = _read_back([text])

    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell == ("'" + text if text.startswith(FORMULA_TRIGGERS) else text)


@given(trigger=st.sampled_from(FORMULA_TRIGGERS), rest=st.text())
def test_every_trigger_is_escaped(trigger, rest):
    assert spreadsheet_cell(trigger + rest) == "'" + trigger + rest


@given(amount=st.integers(min_value=-(10**15), max_value=10**15))
def test_numbers_the_platform_formats_stay_numbers(amount):
    yuan = (Decimal(amount) / 100).quantize(Decimal("0.01"))

    assert _read_back([amount, yuan]) == [str(amount), str(yuan)]


@pytest.mark.parametrize(
    "value, written",
    [
        ("-12.00", "'-12.00"),  # typed by someone, not formatted by the platform: text
        (Decimal("-Infinity"), "'-Infinity"),
        (True, "True"),
        (None, ""),
        ('=HYPERLINK("http://e.cn","x")', '\'=HYPERLINK("http://e.cn","x")'),
    ],
)
def test_what_is_not_a_platform_number_is_text(value, written):
    assert _read_back([value]) == [written]


def test_a_writer_without_a_file_hands_back_each_row_for_streaming():
    assert spreadsheet_writer().writerow(["@a", 1]) == "'@a,1\r\n"


def test_every_csv_the_platform_writes_goes_through_the_one_writer():
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", "node_modules"} & set(path.relative_to(ROOT).parts)
        and path.name != "csvexport.py"
        and writers.search(path.read_text(encoding="utf-8"))
    ]

    assert offenders == []
