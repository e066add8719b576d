"""The matcher's unit-cost weights, as configured.

The ``MATCHING_WEIGHTS`` configuration value (a dict overriding
:data:`graphs.matching.DEFAULT_WEIGHTS`), else the ``MATCHMAKER_MATCHING_WEIGHTS`` environment
variable (a JSON object); graphs.matching checks the names and numbers.
"""
import json
import os

from matchmaker.infra.settings import setting
from matchmaker.services.support.errors import Invalid


def configured_weights() -> dict:
    """The configured unit-cost weights (empty: the defaults)."""
    configured = setting("MATCHING_WEIGHTS")
    if configured is None and os.environ.get("MATCHMAKER_MATCHING_WEIGHTS"):
        try:
            configured = json.loads(os.environ["MATCHMAKER_MATCHING_WEIGHTS"])
        except ValueError:
            raise Invalid("MATCHMAKER_MATCHING_WEIGHTS is not a JSON object") from None
    if configured is not None and not isinstance(configured, dict):
        raise Invalid("the matching weights must be a mapping of weight name to number")
    return dict(configured or {})
