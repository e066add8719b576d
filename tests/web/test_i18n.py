"""The Chinese catalog covers every message the pages use, and the committed .mo matches the .po."""
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "matchmaker" / "translations"
PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
# docs/i18n.md's extraction keywords: the pages' gettext, and the messages the services raise and
# the rules collect (domain errors, `Message`, `rules.add`), which the API says in the user's language
KEYWORDS = ("_l", "lazy_gettext", "lazy_pgettext:1c,2", "Invalid", "NotFound", "Forbidden", "Conflict",
            "Unauthorized", "ServiceUnavailable", "DomainError", "Message", "add:3", "raise_if:2")


def _extracted(tmp_path):
    pot = tmp_path / "messages.pot"
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *keywords,
                                "-o", str(pot), str(ROOT)])
    with open(pot, "rb") as fh:
        return {(m.context, m.id) for m in read_po(fh) if m.id}


def test_every_message_has_a_chinese_translation(tmp_path):
    with open(PO, "rb") as fh:
        catalog = read_po(fh)
    translated = {(m.context, m.id) for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(_extracted(tmp_path) - translated)
    assert not missing, f"{len(missing)} messages lack a translation (see docs/i18n.md): {missing[:10]}"


def test_compiled_catalog_matches_the_po():
    with open(PO, "rb") as fh:
        catalog = read_po(fh)
    mo = Translations.load(str(TRANSLATIONS), ["zh_Hans_CN"])
    stale = [m.id for m in catalog if m.id and m.string
             and (mo.pgettext(m.context, m.id) if m.context else mo.gettext(m.id)) != m.string]
    assert not stale, f"messages.mo is out of date; run pybabel compile: {stale[:5]}"


def test_dates_and_numbers_follow_the_language(app, client):
    from datetime import date

    from flask_babel import refresh

    from matchmaker.web.helpers import fdate, fnum

    with app.test_request_context("/"):
        assert fdate(date(2020, 3, 16)) == "2020年3月16日"
        assert fnum(12345.678) == "12,345.7"
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        refresh()  # the locale is cached on the app context the fixture keeps pushed
        assert fdate(date(2020, 3, 16)) == "Mar 16, 2020"
