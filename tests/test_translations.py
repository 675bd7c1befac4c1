"""Every message has a Simplified Chinese translation, and the compiled
catalogue Django loads (django.mo) carries all of them: a string added to
the code without `make messages` fails here."""

import ast
import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the project's catalogue (templates/, socialshop/) and one per app
CATALOGUES = sorted(path.parent for path in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + [
    ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
]


def _po_entries(folder: Path) -> dict[str, str]:
    """msgid → msgstr from django.po (singular entries, header left out)."""
    entries = {}
    text = (folder / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "#~" in block or "msgid_plural" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)^msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not match:
            continue
        msgid, msgstr = (
            "".join(ast.literal_eval(line) for line in part.split("\n") if line) for part in match.groups()
        )
        fuzzy = "#, fuzzy" in block
        if msgid:
            entries[msgid] = "" if fuzzy else msgstr
    return entries


def _label(folder: Path) -> str:
    return str(folder.relative_to(ROOT))


def test_every_app_has_a_catalogue():
    apps_with_code = {path.parent.name for path in ROOT.glob("*/apps.py")} - {"socialshop"}

    assert apps_with_code <= {folder.parts[-4] for folder in CATALOGUES}


@pytest.mark.parametrize("folder", CATALOGUES, ids=_label)
def test_every_message_is_translated_to_chinese(folder):
    untranslated = [msgid for msgid, msgstr in _po_entries(folder).items() if not msgstr]

    assert untranslated == []


@pytest.mark.parametrize("folder", CATALOGUES, ids=_label)
def test_the_compiled_catalogue_matches_the_source(folder):
    with open(folder / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog

    stale = {msgid for msgid, msgstr in _po_entries(folder).items() if catalogue.get(msgid) != msgstr}

    assert stale == set(), "run `make messages` to recompile locale/"
