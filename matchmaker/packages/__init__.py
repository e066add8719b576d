"""The data package: the one interchange format (JSON, a folder of CSV files, or an .xlsx workbook).

`readers` turn a container into rows counted as a spreadsheet user counts them, `validate`
checks and coerces them (collecting every error), `writers` write the three containers.
The database side (one all-or-nothing transaction, upsert by ref) is
`matchmaker.services.packages`.

The readers (and openpyxl behind them) load on first use, so that a process that only writes a
run file (`matchmaker match --out`) does not pay for them.
"""
from matchmaker.packages.problems import PackageInvalid, Problem  # noqa: F401
from matchmaker.packages.schema import FIELD_NAMES, KEY, SECTION_ORDER, SECTIONS  # noqa: F401


def __getattr__(name):
    if name in ("RawPackage", "read_package"):
        from matchmaker.packages import readers

        return getattr(readers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
