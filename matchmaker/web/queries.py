"""Read-only compositions for pages that show several services' results at once (the home page)."""
import importlib


def _service(name):
    """A service module, or None while it is not installed yet."""
    try:
        return importlib.import_module(f"matchmaker.services.{name}")
    except ImportError:
        return None


OPEN = ("proposed", "accepted")


def my_side(actor, pairing):
    """'buyer' or 'supplier': which side of a proposal the actor's firm is on (None for staff)."""
    if actor.firm_id is None:
        return None
    if pairing.need.firm_id == actor.firm_id:
        return "buyer"
    if pairing.offer.firm_id == actor.firm_id:
        return "supplier"
    return None


def waiting_for(actor, pairing):
    """Whether an open proposal still waits for the actor's side to answer."""
    side = my_side(actor, pairing)
    if side is None or pairing.status not in OPEN:
        return False
    return (pairing.buyer_accepted_at if side == "buyer" else pairing.supplier_accepted_at) is None


def proposals(actor, state="waiting"):
    """The firm's proposals for one tab: waiting (for my answer), open, active, or closed (declined/lapsed)."""
    from matchmaker.services import matching

    statuses = {"waiting": OPEN, "open": OPEN, "active": ("active",), "closed": ("declined", "lapsed")}.get(state, OPEN)
    rows = []
    for status in statuses:
        found, _total = matching.list_my_pairings(actor, status=status, page=1, page_size=1000)
        rows.extend(found)
    if state == "waiting":
        rows = [p for p in rows if waiting_for(actor, p)]
    rows.sort(key=lambda p: (p.need.needed_by, p.id))
    return rows


def todo(actor):
    """What the user should do first: proposals waiting, breaks assigned to them, this week's report."""
    out = {"proposals": [], "breaks": [], "report": None, "counts": {}}
    matching = _service("matching")
    reports = _service("reports")
    if actor.role == "firm":
        if matching is not None:
            out["proposals"] = proposals(actor, "waiting")
        if reports is not None and hasattr(reports, "firm_breaks"):
            out["breaks"] = (reports.firm_breaks(actor, actor.firm_id) or {}).get("breaks", [])
    else:
        if reports is not None and hasattr(reports, "breaks_assigned_to"):
            out["breaks"] = reports.breaks_assigned_to(actor)
        if reports is not None and hasattr(reports, "report_summary"):
            out["report"] = reports.report_summary(actor)
    return out
