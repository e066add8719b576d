"""The data package's ledger sections (orders, deliveries, payments; spec/article10.md): their
references, checked after every record is coerced.

Every `link` must resolve to a link in the package or stored; a payment's `delivery`, when given,
must be a delivery in the package or stored, and a delivery of the same link (a delivery
re-imported in the package counts with the package's link). A stored delivery that the package
moves to another link must not leave behind stored payments that name it from the old link.
"""
from matchmaker.packages.problems import Problem

__all__ = ["check_ledger"]


def check_ledger(package: dict, keyed: dict, stored, problems: list) -> None:
    """Append a Problem for every ledger reference that does not resolve (see the module)."""
    if not any(s in package for s in ("orders", "deliveries", "payments")):
        return
    link_refs = stored.link_refs | keyed.get("links", {}).keys()
    for section in ("orders", "deliveries", "payments"):
        for row, rec in package.get(section, ()):
            ref = rec.get("link")
            if ref is not None and ref not in link_refs:
                problems.append(Problem(section, row, "link", f"unknown link {ref}: neither in this package nor "
                                        "stored (供应关系不存在)"))
    delivery_link = dict(stored.delivery_links)
    delivery_link.update({ref: rec.get("link") for ref, (_row, rec) in keyed.get("deliveries", {}).items()})
    paying = {}
    for row, rec in package.get("payments", ()):
        named = rec.get("delivery")
        if rec.get("ref") is not None:
            paying[rec["ref"]] = named
        if named is None:
            continue
        if named not in delivery_link:
            problems.append(Problem("payments", row, "delivery", f"unknown delivery {named}: neither in this "
                                    "package nor stored (交货记录不存在)"))
        elif rec.get("link") is not None and delivery_link[named] not in (None, rec["link"]):
            problems.append(Problem("payments", row, "delivery", f"delivery {named} is on link "
                                    f"{delivery_link[named]}, not {rec['link']} (所付交货不属于该供应关系)"))
    for ref, (row, rec) in keyed.get("deliveries", {}).items():
        for payment, link in stored.payments_naming.get(ref, ()):
            if payment in paying:  # re-imported too: checked above with the package's values
                continue
            if rec.get("link") is not None and link != rec["link"]:
                problems.append(Problem("deliveries", row, "link", f"stored payment {payment} on link {link} pays "
                                        "this delivery; it cannot move to another link (已有付款指向该交货)"))
