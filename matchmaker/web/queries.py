"""Read-only compositions for pages that show several services' results at once (the home page),
and the presentation of service results (which side of a proposal I am, labels for the chain map)."""
from flask_babel import gettext as _

from matchmaker.infra.labels import label
from matchmaker.services import chainmap, matching, reports, survival
from matchmaker.web import report_views
from matchmaker.web.helpers import cat, fnum, prod, qty


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
    """What the user should do first: proposals waiting, breaks assigned to them or escalated to their
    region, this week's report."""
    out = {"proposals": [], "breaks": [], "report": None, "may_start_run": matching.may_start_run(actor)}
    if actor.role == "firm":
        out["proposals"] = proposals(actor, "waiting")
        out["breaks"] = firm_breaks(actor)["breaks"]
    else:
        out["breaks"] = report_views.page_rows(reports.breaks_assigned_to(actor))
        out["escalated"] = report_views.page_rows(reports.breaks_escalated_to(actor))
        out["report"] = reports.report_summary(actor)
    return out


def decorate_graph(graph, tier0=None):
    """Add the user-language labels the chain-map script shows (it has no catalog of its own)."""
    status_mark = {"down": "\u2716", "strained": "!", "ok": ""}
    for n in graph["nodes"]:
        n["kind_label"] = label(n["kind"], "firm_kind")
        n["status_label"] = {"down": _("stopped or in a high-risk zone"), "strained": _("blocked"),
                             "ok": _("operating")}[n["status"]]
        n["status_mark"] = status_mark[n["status"]]
        n["blockers"] = [label(b, "factor") for b in n.get("blockers") or []]
    for e in graph["edges"]:
        e["category_label"] = cat(e["category"])
        goods = e.get("products") or []
        if any(g["product"] for g in goods):  # name the products the link carries, each in its unit
            e["category_label"] += " · " + "、".join(prod(g["product"]) if g["product"] else _("by category")
                                                    for g in goods)
        if e.get("unit") or len(goods) < 2:
            e["quantity_text"] = qty(e["quantity"], e.get("unit"))
        else:
            e["quantity_text"] = "; ".join(qty(g["quantity"], g["unit"]) for g in goods)
        if e.get("paired_quantity") and e.get("before_pairing"):
            e["pairing_text"] = _("%(before)s + %(paired)s from a pairing = %(total)s a week",
                                  before=fnum(e["before_pairing"]), paired=fnum(e["paired_quantity"]),
                                  total=fnum(e["quantity"]))
        elif e.get("paired_quantity"):
            e["pairing_text"] = _("link made from a pairing")
        e["break_labels"] = [label(k, "break_kind") for k in e.get("kinds") or []]
        e["factors"] = [label(f, "factor") for f in e.get("factors") or []]
    graph["labels"] = {
        "title": _("Chain map"), "tier": _("Tier"), "tier0": tier0 or _("This firm"), "blockers": _("Blockers"),
        "per_week": _("Per week"), "broken": _("Broken"), "factors": _("Factors"),
        "new_link": _("link made from a pairing"), "empty": _("No supply links registered yet."),
    }
    return graph


def firm_breaks(actor):
    """The latest report's breaks where the actor's firm is the buyer, by severity (empty before any report)."""
    view = reports.latest_firm_breaks(actor, actor.firm_id)
    view["breaks"] = survival.with_survival(view["breaks"])  # critical first (time to survive)
    report_views.page_rows(view["breaks"])
    return view


def chain_graph(actor, firm_id):
    """The firm's chain map with this week's breaks marked, labelled for the page."""
    breaks = firm_breaks(actor)["breaks"] if actor.role == "firm" else []
    return decorate_graph(chainmap.chain_map(actor, firm_id, breaks=breaks))
