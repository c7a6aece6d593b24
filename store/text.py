"""Untrusted text: what may reach a terminal or a spreadsheet, and what counts as a number.

Names, regions, ids and audit details come from import files, the environment and other users.
`safe_text` is the one way such text is made fit to show: every character a terminal could act on
(ESC and the rest of C0, DEL, C1 such as CSI) or that hides or reorders what is shown (bidi
overrides, zero-width characters, line separators) is written out visibly, as `\\x1b` or
`\\u202e`. Numbers typed or imported count only in ASCII digits: `int("١٠٠")` is 100 in
Python, and here it is an error.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable

# Control, format, surrogate, line- and paragraph-separator characters.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list; its tab
# and carriage return never start a cell here: safe_text has written them out as \t and \r). A
# leading quote marks such a cell as text, and a cell that itself starts with a quote gets one
# more, so an import can take exactly one off again.
FORMULA_STARTS = ("=", "+", "-", "@", "'")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
ASCII_DIGITS = re.compile(r"[0-9]+")
ASCII_WHOLE = re.compile(r"-?[0-9]+")


def _is_unsafe(char: str) -> bool:
    return unicodedata.category(char) in UNSAFE_CATEGORIES


SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    if char in SHORT_ESCAPES:
        return SHORT_ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text(value: object) -> str:
    """`value` as text that is shown exactly as written and cannot act on a terminal."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(_escaped(char) if _is_unsafe(char) else char for char in text)


def safe_lines(text: str) -> str:
    """Several lines of text, each made safe: the line breaks stay, nothing else can act."""
    return "\n".join(safe_text(line) for line in text.split("\n"))


def json_safe(encoded: str) -> str:
    """JSON text with every unsafe character \\u-escaped: the same JSON value, terminal-safe.

    `json.dumps(ensure_ascii=False)` escapes C0 but leaves C1, bidi and separators raw; outside
    strings JSON is ASCII, so every such character sits inside a string and escaping it is exact.
    """
    if encoded.isprintable():
        return encoded
    out = []
    for char in encoded:
        if char != "\n" and _is_unsafe(char):
            code = ord(char)
            if code >= 0x10000:  # JSON escapes only 16-bit units: a surrogate pair
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows and never runs: text made safe, formulas quoted."""
    if not isinstance(value, str):
        return value
    text = safe_text(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_row(values: Iterable[object]) -> list[object]:
    """`spreadsheet_cell` of each value. Most cells (numbers, and text that is printable and
    starts like no formula) come back as they are, checked here without a call per cell: an
    export of 100,000 rows has 1.3 million text cells."""
    return [value if not isinstance(value, str)
            or (value.isprintable() and not value.startswith(FORMULA_STARTS))
            else spreadsheet_cell(value) for value in values]


def from_spreadsheet_cell(text: str) -> str:
    """Undo `spreadsheet_cell`'s quote: `'=x` reads back as `=x`, `''x` as `'x`."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def whole_number(text: str, low: int, high: int, what: str) -> int:
    """`text` as a whole number in ASCII digits, low–high; ValueError naming `what` otherwise."""
    value = text.strip()
    if not ASCII_DIGITS.fullmatch(value):
        raise ValueError(f"{what} is a whole number written in the digits 0-9, not {text!r}")
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{what} is {low}-{high}, not {number:,}")
    return number


SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


def seconds_setting(variable: str, default: float, most: float) -> float:
    """A number of seconds from the environment variable `variable` (ASCII digits, more than
    0, at most `most`), or `default` when it is not set; ValueError naming it otherwise."""
    text = os.environ.get(variable)
    if text is None:
        return default
    seconds = float(text) if SECONDS.fullmatch(text.strip()) else 0.0
    if not 0 < seconds <= most:
        raise ValueError(f"{variable} is seconds, more than 0 and at most {most:g}, "
                         f"not {text!r}")
    return seconds


def has_surrogates(text: str) -> bool:
    """Lone surrogates (from JSON `\\udc80`) cannot be stored or printed as UTF-8."""
    try:
        text.encode("utf-8")  # fails on a surrogate and nothing else; at C speed
    except UnicodeEncodeError:
        return True
    return False
