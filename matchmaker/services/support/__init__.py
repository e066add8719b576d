"""What the use cases share: domain errors, session helpers, signals, the audit hook and the one adapter
from rows to `graphs` records (`network`). No use case lives here."""
