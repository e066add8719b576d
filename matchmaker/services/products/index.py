"""The in-memory search index of the product catalogue behind the product picker (pure: plain
records in, ranked records out; no Flask, no database).

What a person may type to find a product: its Chinese or English name, an alias, the pinyin of
a Chinese name or alias (in full, ``niunai``, or by initials, ``nn``), or a code: the product's
own (``P003001``), its HS subheading (``040120``, or a heading such as ``0401``) or its
category's (``IO003``).  The pinyin is computed once, when the index is built (pypinyin, the
phrase-aware reading; the text of each name is cached, so a rebuild after an import only reads
the names it has not seen).

Ranking (best first):

0. the query **is** a code (product, HS or category);
1. a **prefix**: of a code, of a name or alias (or of one of its words: ``milk`` in
   ``Raw milk``), of a name's full pinyin or of its pinyin initials;
2. a **substring** of a name or alias.

Within a rank: an exact name before a longer one, names before aliases before pinyin, shorter
texts first, then code order.  A query of several words matches a product when the whole
query does, or else every word does (the product then ranks as its worst word).
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence


__all__ = ["ProductIndex", "normalise_query", "pinyin_keys"]

# What sorts first within a rank: the source of the text that matched.
_NAME, _ALIAS, _PINYIN, _CODE = 0, 1, 2, 3
_BLANKS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD_START = re.compile(r"[\s\-_/(),.;:·、，（）]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEP = "\x1f"


def normalise_query(text: str) -> str:
    """The form queries and names are compared in: NFKC (full-width letters and digits become
    ASCII), lower case, blanks collapsed to one space, trimmed.

    >>> normalise_query("  ＵＨＴ   Milk ")
    'uht milk'
    """
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text or ""))
    return _BLANKS.sub(" ", text).strip().lower()


@lru_cache(maxsize=65536)
def pinyin_keys(text: str) -> tuple[str, str] | None:
    """(full pinyin, initials) of a text with Chinese characters in it, lower case and without
    tones or spaces; None for a text with none (no pinyin to match).  Latin letters and digits
    inside the text are kept as they are.

    >>> pinyin_keys("生鲜乳"), pinyin_keys("PVC树脂"), pinyin_keys("raw milk")
    (('shengxianru', 'sxr'), ('pvcshuzhi', 'pvcsz'), None)
    """
    if not _HAN.search(text):
        return None
    from pypinyin import Style, lazy_pinyin  # ~0.3 s to import: only when an index is built (issue 14)

    full = "".join(lazy_pinyin(text, errors="default"))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    return _compact(full), _compact(initials)


def _compact(text: str) -> str:
    return re.sub(r"[\s'’\-]", "", normalise_query(text))


# The kinds of key in the sorted prefix list.
_K_CODE, _K_TEXT, _K_TAIL, _K_PINYIN = 0, 1, 2, 3


@dataclass(frozen=True)
class _Entry:
    record: dict
    order: int
    texts: tuple[tuple[str, int], ...]  # (normalised name or alias, _NAME or _ALIAS)
    blob: str                           # the texts joined: the substring filter


def _texts(record: dict) -> tuple[tuple[str, int], ...]:
    texts = [(normalise_query(record["name_zh"]), _NAME), (normalise_query(record["name_en"]), _NAME)]
    texts += [(normalise_query(a), _ALIAS) for a in record.get("aliases") or ()]
    seen, out = set(), []
    for text, source in texts:
        if text and text not in seen:
            seen.add(text)
            out.append((text, source))
    return tuple(out)


def _word_tails(text: str) -> list[str]:
    """The text from the start of each of its words but the first (``milk`` of ``raw milk``)."""
    return [text[m.end():] for m in _WORD_START.finditer(text) if m.end() < len(text)]


class _Keys:
    """Keys sorted for prefix look-ups: (key, kind, source, length, order) of every product."""

    def __init__(self, rows: list[tuple[str, int, int, int, int]]) -> None:
        rows.sort()
        self.keys = [r[0] for r in rows]
        self.rows = rows

    def starting_with(self, prefix: str):
        i = bisect_left(self.keys, prefix)
        keys, rows = self.keys, self.rows
        while i < len(keys) and keys[i].startswith(prefix):
            yield rows[i]
            i += 1


class ProductIndex:
    """A searchable snapshot of the catalogue: ``ProductIndex(records)``, then ``search(q)``.

    Each record: ``code``, ``name_zh``, ``name_en``, ``unit``, ``category`` (a code), ``hs``
    (or None) and ``aliases`` (a sequence); other keys are carried along untouched.

    >>> idx = ProductIndex([
    ...     {"code": "P1", "name_zh": "生鲜乳", "name_en": "Raw milk", "unit": "t", "category": "IO003",
    ...      "hs": "040120", "aliases": ["原奶"]},
    ...     {"code": "P2", "name_zh": "灭菌乳", "name_en": "UHT milk", "unit": "t", "category": "IO020",
    ...      "hs": "040120", "aliases": ["纯牛奶"]},
    ...     {"code": "P3", "name_zh": "乳脂分离机", "name_en": "Cream separators", "unit": "set",
    ...      "category": "IO071", "hs": "842111", "aliases": ["牛奶分离机"]}])
    >>> [r["code"] for r in idx.search("milk")], [r["code"] for r in idx.search("sxr")]
    (['P1', 'P2'], ['P1'])
    >>> [r["code"] for r in idx.search("牛奶")], [r["code"] for r in idx.search("p2")]
    (['P3', 'P2'], ['P2'])
    """

    def __init__(self, records: Iterable[dict]) -> None:
        entries, text_keys, pinyin_keys_ = [], [], []
        for order, record in enumerate(records):
            texts = _texts(record)
            entries.append(_Entry(record, order, texts, _SEP.join(t for t, _ in texts)))
            for code in (record["code"], record.get("hs") or "", record["category"]):
                code = normalise_query(code)
                if code:
                    text_keys.append((code, _K_CODE, _CODE, len(code), order))
            for text, source in texts:
                text_keys.append((text, _K_TEXT, source, len(text), order))
                text_keys.extend((tail, _K_TAIL, source, len(text) + 1, order) for tail in _word_tails(text))
                for key in pinyin_keys(text) or ():
                    if key:
                        pinyin_keys_.append((key, _K_PINYIN, _PINYIN, len(key), order))
        self._entries = tuple(entries)
        self._by_code = {e.record["code"]: e.record for e in entries}
        self._text_keys = _Keys(text_keys)
        self._pinyin_keys = _Keys(pinyin_keys_)

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str) -> list[dict]:
        """The records matching `query`, best first; every record, in catalogue order, for an
        empty query."""
        q = normalise_query(query)
        if not q:
            return [e.record for e in self._entries]
        ranks = self._match(q)
        words = q.split(" ")
        if len(words) > 1:
            per_word = [self._match(w) for w in words]
            for order in set.intersection(*(set(m) for m in per_word)):
                rank = max(m[order] for m in per_word)
                if order not in ranks or rank < ranks[order]:
                    ranks[order] = rank
        found = sorted(ranks.items(), key=lambda item: (item[1], item[0]))
        entries = self._entries
        return [entries[order].record for order, _rank in found]

    def _match(self, q: str) -> dict[int, tuple]:
        """{order: rank} of the products one query matches (see the module's ranking)."""
        best: dict[int, tuple] = {}

        def offer(order, rank):
            if order not in best or rank < best[order]:
                best[order] = rank

        for key, kind, source, length, order in self._text_keys.starting_with(q):
            if kind == _K_CODE:
                offer(order, (0, 0, _CODE, length) if key == q else (1, 1, _CODE, length))
            else:
                offer(order, (1, 0 if kind == _K_TEXT and key == q else 1, source, length))
        compact = _compact(q)
        if compact:
            for key, _kind, source, length, order in self._pinyin_keys.starting_with(compact):
                offer(order, (1, 0 if key == compact else 1, source, length))
        for entry in self._entries:
            if entry.order not in best and q in entry.blob:
                ranks = [(2, 1, source, len(text)) for text, source in entry.texts if q in text]
                if ranks:
                    best[entry.order] = min(ranks)
        return best

    def get(self, code: str) -> dict | None:
        """The record with this code (exactly as stored), or None."""
        return self._by_code.get(code)

    def records(self) -> Sequence[dict]:
        """Every record, in catalogue order."""
        return [e.record for e in self._entries]
