"""Every message has a Simplified Chinese translation, and the compiled
catalogue Django loads (django.mo) carries all of them: a string added to
the code without `make messages` fails here."""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries() -> dict[str, str]:
    """msgid → msgstr from django.po (singular entries, header left out)."""
    entries = {}
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
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


def test_every_message_is_translated_to_chinese():
    untranslated = [msgid for msgid, msgstr in _po_entries().items() if not msgstr]

    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog

    stale = {msgid for msgid, msgstr in _po_entries().items() if catalogue.get(msgid) != msgstr}

    assert stale == set(), "run `make messages` to recompile locale/"
