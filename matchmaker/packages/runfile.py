"""The run file of a matching run (spec/matching.md, spec/products.md): what the matcher saw, allowed
and proposed; each need and offer with its category, product (null when none) and unit, each need
with its accepts.

Written by ``matchmaker match --out`` from a :class:`graphs.matching.MatchResult`, streamed as
UTF-8 JSON; a province-sized run has about a million candidates, so they are formatted from plain
columns chunk by chunk and every repeated text (refs, reasons) is JSON-encoded once.
"""
import json
from collections.abc import Iterable, Sequence

__all__ = ["ReasonsJSON", "write_run_file"]

_CANDIDATE = '\n{"need": %s, "offer": %s, "unit_cost": %r, "distance_km": %r}'
# candidates formatted and written per chunk (a million pairs is a few hundred MB of text)
_CANDIDATE_CHUNK = 65536


class ReasonsJSON:
    """``json.dumps(list(reasons))`` of many pairings, text for text, encoding each distinct reason
    once (a run's reasons repeat: distances in whole km, lead times, terms)."""

    __slots__ = ("_encoded", "_lists")

    def __init__(self, ensure_ascii: bool = True):
        self._encoded = _Encoded(ensure_ascii).__getitem__
        self._lists = _Lists(self)

    def __call__(self, reasons: Iterable[str]) -> str:
        # the known reasons are looked up without a Python call each (a run has 100,000 pairings)
        return "[" + ", ".join(map(self._encoded, reasons)) + "]"

    def many(self, lists: Sequence[Iterable[str]]) -> list[str]:
        """The text of each list of reasons, each distinct tuple of reasons encoded once (a run's
        pairings share them: a hundred thousand pairings, a third as many distinct lists). *lists*
        may be an iterator: it is read once into a list, so the fallback encodes every one again."""
        if not isinstance(lists, (list, tuple)):
            lists = list(lists)
        try:
            return list(map(self._lists.__getitem__, lists))
        except TypeError:  # lists, not tuples: unhashable, each encoded
            return list(map(self, lists))


class _Lists(dict):
    """tuple of reasons -> its JSON text, encoded on first use."""

    __slots__ = ("_encode",)

    def __init__(self, encode):
        super().__init__()
        self._encode = encode

    def __missing__(self, reasons: tuple) -> str:
        text = self[reasons] = self._encode(reasons)
        return text


class _Encoded(dict):
    """reason -> its JSON text, encoded on first use."""

    __slots__ = ("_ascii",)

    def __init__(self, ensure_ascii: bool):
        super().__init__()
        self._ascii = ensure_ascii

    def __missing__(self, reason: str) -> str:
        text = self[reason] = json.dumps(reason, ensure_ascii=self._ascii)
        return text


class _Codes:
    """JSON text of codes and units (few distinct values, each encoded once); None is null."""

    __slots__ = ("_seen",)

    def __init__(self):
        self._seen = {None: "null"}

    def __call__(self, code) -> str:
        text = self._seen.get(code)
        if text is None:
            text = self._seen[code] = json.dumps(code, ensure_ascii=False)
        return text

    def many(self, codes) -> str:
        return "[" + ", ".join(map(self, codes)) + "]"


def write_run_file(result, path) -> None:
    """Write a graphs.matching result as the run file of spec/matching.md (streamed, UTF-8)."""
    enc = json.dumps
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{\n"as_of": %s,\n"needs": [' % enc(result.as_of.isoformat()))
        codes = _Codes()
        fh.write(",".join(
            '\n{"ref": %s, "open_quantity": %r, "category": %s, "product": %s, "unit": %s, "accepts": %s}'
            % (enc(n["ref"]), n["open_quantity"], codes(n["category"]), codes(n["product"]), codes(n["unit"]),
               codes.many(n["accepts"]))
            for n in result.need_entries()))
        fh.write('],\n"offers": [')
        fh.write(",".join(
            '\n{"ref": %s, "open_quantity": %r, "category": %s, "product": %s, "unit": %s}'
            % (enc(o["ref"]), o["open_quantity"], codes(o["category"]), codes(o["product"]), codes(o["unit"]))
            for o in result.offer_entries()))
        fh.write('],\n"candidates": [')
        _write_candidates(fh, result)
        fh.write('],\n"pairings": [')
        reasons = ReasonsJSON(ensure_ascii=False)
        fh.write(",".join(
            '\n{"need": %s, "offer": %s, "quantity": %r, "reasons": %s}'
            % (enc(p.need), enc(p.offer), p.quantity, reasons(p.reasons))
            for p in result.pairings))
        fh.write('],\n"unmet": [')
        fh.write(",".join('\n{"need": %s, "quantity": %r}' % (enc(u.need), u.quantity) for u in result.unmet))
        fh.write('],\n"objective": %s\n}\n' % enc(result.objective))


def _write_candidates(fh, result):
    """Write the run file's candidates (without brackets), chunk by chunk from plain columns."""
    enc, candidates = json.dumps, result.candidates
    columns = getattr(candidates, "columns", None)
    if columns is None:  # any other sequence of (need, offer, unit_cost, distance_km)
        fh.write(",".join(_CANDIDATE % (enc(c[0]), enc(c[1]), c[2], c[3]) for c in candidates))
        return
    # refs JSON-encoded once each, in the order of the result's needs and offers (the index's)
    need_json = [enc(r) for r, _ in result.needs]
    offer_json = [enc(r) for r, _ in result.offers]
    fmt = _CANDIDATE
    for start in range(0, len(candidates), _CANDIDATE_CHUNK):
        ns, os_, costs, dists = columns(start, start + _CANDIDATE_CHUNK, need_json, offer_json)
        fh.write(("," if start else "") + ",".join([
            fmt % row for row in zip(ns, os_, costs, dists)]))
