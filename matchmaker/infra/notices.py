"""The words of notifications (issue 13), in the reader's language: the inbox line and the e-mail.

Notifications store a kind and its values (`models.notification`); the pages say them in the
reader's language at display time, and the outbox sender in the addressee's language when it
sends (`mail_text`, which services take as a parameter: they import no Babel).
"""
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from matchmaker.infra.labels import label

#: kind -> (title, sentence); the sentence's values come from the notification's params.
TEXTS = {
    "proposal_arrived": (_l("New proposals"), _l("%(n)s new proposal(s) for your firm: answer them on the proposals page.")),
    "proposal_answered": (_l("A proposal was answered"),
                          _l("%(firm)s %(decision)s the proposal %(pairing)s (%(need)s ← %(offer)s).")),
    "link_formed": (_l("A link formed"),
                    _l("Link %(link)s formed: %(supplier)s supplies %(buyer)s. You now see each other's contact.")),
    "item_assigned": (_l("An item is yours"), _l("%(what)s was %(action)s to you: %(title)s.")),
    "commitment_due": (_l("A commitment falls due in three days"),
                       _l("%(term)s on link %(link)s is due on %(due)s.")),
    "commitment_overdue": (_l("A commitment is overdue"),
                           _l("%(term)s on link %(link)s was due on %(due)s and is overdue.")),
    "report_ready": (_l("The weekly report is ready"), _l("The weekly report of %(week)s is ready.")),
}
#: The words a notification's values name by code.
_DECISIONS = {"accepted": _l("accepted"), "declined": _l("declined")}
_ACTIONS = {"assigned": _l("assigned"), "escalated": _l("escalated")}
#: What the settings page calls each kind.
KIND_NAMES = {kind: title for kind, (title, _sentence) in TEXTS.items()}


def notice_text(kind: str, params: dict) -> tuple[str, str]:
    """(title, sentence) of a notification in the current language."""
    if kind not in TEXTS:
        return kind, ""
    title, sentence = TEXTS[kind]
    values = dict(params or {})
    if "decision" in values:
        values["decision"] = str(_DECISIONS.get(values["decision"], values["decision"]))
    if "action" in values:
        values["action"] = str(_ACTIONS.get(values["action"], values["action"]))
    if "term" in values:
        values["term"] = label(values["term"], "commitment")
    try:
        return str(title), gettext(_msgid(sentence), **values)
    except (KeyError, ValueError, TypeError):  # a stored notification older than its sentence
        return str(title), str(sentence)


def _msgid(lazy) -> str:
    """The message id of a lazy string (to fill its placeholders after translating)."""
    return lazy._args[0]


def mail_text(locale: str | None, kind: str, params: dict, url: str | None, base_url: str) -> tuple[str, str]:
    """(subject, body) of a notification's e-mail in the addressee's language (Chinese by default)."""
    with force_locale(locale or "zh_CN"):
        title, sentence = notice_text(kind, params)
        link = (base_url.rstrip("/") + url) if url and base_url else (url or "")
        footer = gettext("You can turn these e-mails off in your notification settings.")
        body = "\n\n".join(part for part in (sentence, link, footer) if part)
        return gettext("[Hand in hand] %(title)s", title=title), body
