"""Every status a page shows is named in the user's language, never shown raw (issue 13, item 9)."""
import pytest
from flask_babel import refresh

from matchmaker.infra.labels import label
from matchmaker.models.link import LINK_REQUEST_STATUSES
from matchmaker.models.pairing import PAIRING_STATUSES
from matchmaker.models.report import BREAK_STATUSES
from matchmaker.rules import STATUSES

GROUPS = [("status", PAIRING_STATUSES), ("status", STATUSES), ("break_status", BREAK_STATUSES),
          ("link_request", LINK_REQUEST_STATUSES)]


@pytest.mark.parametrize("group,codes", GROUPS)
def test_every_status_has_a_chinese_and_an_english_name(app, group, codes):
    with app.test_request_context("/"):
        for code in codes:
            word = label(code, group)
            assert word != code and not word.isascii(), (group, code, word)
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        refresh()
        for code in codes:
            assert label(code, group) != code and label(code, group).isascii(), (group, code)
