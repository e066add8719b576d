"""The data package: the one interchange format (JSON, a folder of CSV files, or an .xlsx workbook).

`readers` turn a container into rows counted as a spreadsheet user counts them, `validate`
checks and coerces them (collecting every error), `writers` write the three containers.
The database side (one all-or-nothing transaction, upsert by ref) is
`matchmaker.services.packages`.
"""
from matchmaker.packages.problems import PackageInvalid, Problem  # noqa: F401
from matchmaker.packages.readers import RawPackage, read_package  # noqa: F401
from matchmaker.packages.schema import FIELD_NAMES, KEY, SECTION_ORDER, SECTIONS  # noqa: F401
