"""In-process signals (blinker) other services listen to, inside the sender's transaction.

Receivers run before the sender commits, so anything they change is committed with it
(one commit per use case); a receiver that raises aborts the whole change.

- ``posting_closed``: a need or offer was closed. Sender: ``"need"`` or ``"offer"``;
  keyword ``posting`` (the row) and ``actor`` (the user, or None for the system).
  The matcher connects here to lapse the posting's open proposals.
- ``posting_changed``: a need or offer was edited (quantity, dates, category, ...);
  same arguments plus ``changed`` (set of field names).
- ``link_deactivated``: a link was deactivated; keyword ``link`` and ``actor``.
"""
from blinker import Namespace

_signals = Namespace()

posting_closed = _signals.signal("posting-closed")
posting_changed = _signals.signal("posting-changed")
link_deactivated = _signals.signal("link-deactivated")
