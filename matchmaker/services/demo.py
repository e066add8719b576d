"""The shipped demo: reference data, the Heilongjiang demo package, and demo accounts."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, Region, User
from matchmaker.infra.reference import DATA_DIR
from matchmaker.services.auth import hash_password, verify_password
from matchmaker.services.packages import ImportResult, import_package

DEMO_PACKAGE = DATA_DIR / "demo.json"
DEMO_PASSWORD = "demo-password-2020"


@dataclass
class DemoAccount:
    email: str
    role: str
    name: str
    firm_ref: Optional[str] = None
    region_code: Optional[str] = None
    where: str = ""  # firm or region name, for printing


def load_demo(progress: Callable[[int, int], None] | None = None) -> tuple[ImportResult, list[DemoAccount]]:
    """Load the demo package (idempotent: a second run replaces records with the same values)
    and make sure the demo accounts exist; returns (ImportResult, [DemoAccount])."""
    result = import_package(DEMO_PACKAGE, progress=progress)
    accounts = ensure_demo_accounts()
    return result, accounts


def _pick_accounts():
    """A leading firm and one of its SME suppliers, and the county, city and province task forces
    where the demo's chain breaks are (the high-risk county first, else where most firms are stuck)."""
    leading = db.session.execute(
        sa.select(Firm.ref, Firm.name, Firm.id).where(Firm.kind == "leading")
        .outerjoin(Need, Need.firm_id == Firm.id).group_by(Firm.id, Firm.ref, Firm.name)
        .order_by(sa.func.count(Need.id).desc(), Firm.ref).limit(1)
    ).first()
    sme = None
    if leading is not None:
        sme = db.session.execute(
            sa.select(Firm.ref, Firm.name).join(Link, Link.supplier_id == Firm.id)
            .where(Link.buyer_id == leading.id, Firm.kind == "sme").order_by(Firm.ref).limit(1)
        ).first()
    if sme is None:
        sme = db.session.execute(sa.select(Firm.ref, Firm.name).where(Firm.kind == "sme").order_by(Firm.ref)
                                 .limit(1)).first()
    risk = dict(db.session.execute(sa.select(Region.code, Region.risk)).all())
    score = {}
    for code, operating, blockers in db.session.execute(sa.select(Firm.region_code, Firm.operating, Firm.blockers)):
        rank = {"high": 2, "medium": 1}.get(risk.get(code), 0)
        stuck = int(not operating or bool(blockers))
        old_stuck = score.get(code, (rank, 0))[1]
        score[code] = (rank, old_stuck + stuck)
    county = None
    if score:
        code = min(score, key=lambda c: (-score[c][0], -score[c][1], c))
        county = db.session.get(Region, code)
    return leading, sme, county


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts that are missing (and reset a demo password that was changed)."""
    leading, sme, county = _pick_accounts()
    city = db.session.get(Region, county.parent_code) if county is not None and county.parent_code else None
    province = db.session.get(Region, city.parent_code) if city is not None and city.parent_code else None
    wanted = [DemoAccount("admin@demo.example.cn", "admin", "管理员 Admin", where="全部 everything")]
    if leading is not None:
        wanted.append(DemoAccount("leading@demo.example.cn", "firm", "龙头企业用户 Leading firm user",
                                  firm_ref=leading.ref, where=f"{leading.ref} {leading.name}"))
    if sme is not None:
        wanted.append(DemoAccount("sme@demo.example.cn", "firm", "中小企业用户 SME user",
                                  firm_ref=sme.ref, where=f"{sme.ref} {sme.name}"))
    for email, label, region in (("county@demo.example.cn", "县专班 County task force", county),
                                 ("city@demo.example.cn", "市专班 City task force", city),
                                 ("province@demo.example.cn", "省专班 Province task force", province)):
        if region is not None:
            wanted.append(DemoAccount(email, "staff", label, region_code=region.code,
                                      where=f"{region.code} {region.name}"))
    firm_ids = dict(db.session.execute(sa.select(Firm.ref, Firm.id)
                                       .where(Firm.ref.in_([a.firm_ref for a in wanted if a.firm_ref]))).all())
    for account in wanted:
        user = db.session.scalar(sa.select(User).where(User.email == account.email))
        firm_id = firm_ids.get(account.firm_ref)
        if user is None:
            db.session.add(User(email=account.email, name=account.name, password_hash=hash_password(DEMO_PASSWORD),
                                role=account.role, firm_id=firm_id, region_code=account.region_code,
                                active=True))
            continue
        if not verify_password(user.password_hash, DEMO_PASSWORD):
            user.password_hash = hash_password(DEMO_PASSWORD)
        for attr, value in (("role", account.role), ("firm_id", firm_id), ("region_code", account.region_code),
                            ("active", True)):
            if getattr(user, attr) != value:
                setattr(user, attr, value)
    db.session.commit()
    return wanted
