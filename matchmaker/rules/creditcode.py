"""Unified social credit code (统一社会信用代码), GB 32100-2015: the check digit.

An 18-character code: registration authority (1), organisation type (1), administrative
division (6), organisation code (9), check character (1).  The characters are drawn from
``0123456789ABCDEFGHJKLMNPQRTUWXY`` (31 symbols: no I, O, Z, S, V); the 18th is
``(31 - sum(value(c_i) * w_i) % 31) % 31`` over the first 17 with the weights below.
"""
from __future__ import annotations

__all__ = ["CHARSET", "WEIGHTS", "check_digit", "is_valid"]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: k for k, ch in enumerate(CHARSET)}


def check_digit(code17: str) -> str:
    """The check character for the first 17 characters of a code.

    Raises ValueError when `code17` is not 17 characters of the code's charset.

    >>> check_digit("91350100M000100Y4")
    '3'
    """
    if not isinstance(code17, str) or len(code17) != 17:
        raise ValueError("a unified social credit code has 17 characters before its check digit")
    try:
        total = sum(_VALUE[ch] * w for ch, w in zip(code17, WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"invalid character {exc.args[0]!r} in a unified social credit code") from None
    return CHARSET[(31 - total % 31) % 31]


def is_valid(code) -> bool:
    """Whether `code` is 18 characters of the charset with a correct check character.

    Upper case only, as the standard writes codes (callers may upper-case input first).

    >>> is_valid("91350100M000100Y43"), is_valid("91350100M000100Y44")
    (True, False)
    """
    if not isinstance(code, str) or len(code) != 18 or any(ch not in _VALUE for ch in code):
        return False
    return check_digit(code[:17]) == code[17]
