"""The JSON of the service's responses, encoded by orjson.

Flask's own provider encodes a response with the standard library's ``json`` (sorted keys,
compact): on a list of 50 proposals that is about a tenth of a request's CPU (issue 14: list
endpoints at most 2 ms). orjson, a well-kept C encoder, writes the same document several times
faster. What changes in the bytes, not in the document: characters outside ASCII are written as
UTF-8 rather than ``\\uXXXX`` escapes (RFC 8259 JSON is UTF-8; every client decodes both alike),
and a small float may be spelled differently (``1e-07`` -> ``1e-7``, ``7.34e-05`` -> ``0.0000734``:
the same number; ~17% of random floats under 10^-4, none of the usual quantities and prices).

Only responses change (``jsonify``, flask-smorest's responses): ``app.json.dumps`` -- what Jinja's
``tojson`` and the rest of the code call -- stays the standard library's. Anything orjson does not
encode as Flask would goes to Flask's own ``default`` (dates as HTTP dates, decimals, ``__html__``),
and a document orjson refuses (an integer past 64 bits, a lone surrogate) is encoded by Flask's
provider as before. A NaN or infinite float is written ``null`` (the standard library wrote ``NaN``,
which is not JSON). In debug mode (indented output) nothing changes.
"""
import orjson
from flask.json.provider import DefaultJSONProvider

__all__ = ["FastJSONProvider"]

# no OPT_NON_STR_KEYS: orjson would sort integer keys as text ("12" before "3"); a dict with keys
# that are not strings is refused, so Flask's provider writes it as before
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with responses encoded by orjson (see the module's text)."""

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        if self.compact is False or (self.compact is None and self._app.debug) or not self.sort_keys:
            return super().response(*args, **kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
            return super().response(*args, **kwargs)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)

