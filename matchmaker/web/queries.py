"""Read-only compositions for pages that show several services' results at once (the home page)."""
import importlib


def _service(name):
    """A service module, or None while it is not installed yet."""
    try:
        return importlib.import_module(f"matchmaker.services.{name}")
    except ImportError:
        return None


def todo(actor):
    """What the user should do first: proposals waiting, breaks assigned to them, this week's report."""
    out = {"proposals": [], "breaks": [], "report": None, "counts": {}}
    matching = _service("matching")
    reports = _service("reports")
    if actor.role == "firm":
        if matching is not None and hasattr(matching, "proposals_for_firm"):
            out["proposals"] = matching.proposals_for_firm(actor, state="waiting")
        if reports is not None and hasattr(reports, "firm_breaks"):
            out["breaks"] = (reports.firm_breaks(actor, actor.firm_id) or {}).get("breaks", [])
    else:
        if reports is not None and hasattr(reports, "breaks_assigned_to"):
            out["breaks"] = reports.breaks_assigned_to(actor)
        if reports is not None and hasattr(reports, "report_summary"):
            out["report"] = reports.report_summary(actor)
    return out
