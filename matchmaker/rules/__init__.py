"""The rules of firm, posting, link and account fields, in one place: limits, enumerations,
patterns, and the rules across fields.  A domain package: it imports nothing from Flask, the
services, the schemas or the data package, which all read it.

Who checks what
---------------
- **Schemas** (`matchmaker.schemas`, the API's input) check *shape*: which fields exist, which
  are required or may be null, JSON types, ISO dates, the written form of a region code, that a
  ref is not empty, that a version is a 32-bit number.  They read the limits and enumerations
  here only to document them in the OpenAPI description.
- **Services** check *values*, once per write, whoever calls them (the API, the pages, the CLI):
  they call the record rules here (`check_need`, `check_offer`, `check_link`, `check_firm`,
  `check_account`: lengths, control characters, bounds, enumerations, dates, rules across
  fields), then add what only the database can tell (a category, region or firm exists, a ref
  or credit code is free, a quantity is not below what is committed).  List filters are the
  schemas' (the services check the few they would otherwise silently ignore).
- **The data-package validator** (`matchmaker.packages.validate`) coerces spreadsheet cells
  (``"85%"``, ``是/否``, ``;``-separated lists) and applies the same limits, enumerations,
  patterns and rules across fields, phrased for spreadsheet users (bilingual, section, row).

So a need posted through the API is checked once: its shape by `NeedCreateSchema`, its values
by `check_need` in `services.needs`.  Each service phrases its messages once (``"must be greater
than 0"``); the package validator phrases its own, in both languages.

Modules: `vocabulary` (the closed lists), `values` (limits and patterns of one value),
`creditcode` (GB 32100-2015 check digit), `checks` (field checks collecting messages),
`records` (the rules of each record), `ledger` (the article-10 ledger's orders, deliveries, payments),
`products` (product codes, HS subheadings, a posting's unit).
"""
from matchmaker.rules.checks import (add, check_bool, check_choices, check_date, check_fields,  # noqa: F401
                                     check_int, check_number, check_text, raise_if)
from matchmaker.rules.products import (HS_SUBHEADING, MAX_ACCEPTS, MAX_PRODUCT_CODE, PRODUCT_CODE,  # noqa: F401
                                       category_disagrees, check_accepts, check_product, clean_aliases,
                                       is_hs_subheading, is_product_code, posting_unit)
from matchmaker.rules.records import (ACCOUNT_FIELDS, FIRM_FIELDS, LINK_FIELDS, NEED_FIELDS,  # noqa: F401
                                      OFFER_FIELDS, REGISTRY_FIELDS, STATUS_FIELDS, check_account, check_firm,
                                      check_link, check_need, check_offer, due_in_the_past,
                                      ends_before_start,
                                      reported_risk_zone, supplies_itself)
from matchmaker.rules.values import (CONTROL, DATE_TEXT, EARLIEST_DATE, EMAIL, LATEST_DATE, MIN_POSITIVE, FIRM_REGION_LEVEL, MAX_DAYS, MAX_ID,  # noqa: F401
                                     MAX_LENGTH, MAX_QUANTITY, MAX_RADIUS_KM, PACKAGE_MAX_LENGTH, REGION_CODE,
                                     SECTION_MAX_LENGTH, credit_code_valid, has_control_characters, is_email, is_phone,
                                     is_storable_text, is_unicode, normalise_region_code)
from matchmaker.rules.vocabulary import (FACTORS, FIRM_STATES, HELP_KINDS, HELP_OFFER_KINDS, KINDS, LEVEL_RANK,  # noqa: F401
                                         LEVELS, LINK_STATES, LOCALES, REPORTABLE_BLOCKERS, RISKS, ROLES,
                                         STATUSES, TERMS, DEPARTMENTS, AGENDA_SORTS, DECISION_MAX)
from matchmaker.rules.ledger import (ENTRY_FIELDS, LEDGER_SECTIONS, RECORDED_BY, check_entry,  # noqa: F401
                                     recorded_in_the_future)
