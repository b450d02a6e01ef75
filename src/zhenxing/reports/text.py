"""Cleaning a pasted or uploaded report (经验材料) before its figures are read: traditional
characters to simplified with OpenCC (its own bundled dictionaries, no network), the pinyin
annotations that copying through other systems leaves after polyphones removed
(“黨建引領(lǐng)” → “党建引领”), and full-width/half-width punctuation normalised the way a
Chinese office writes it. Pure functions, no database.

A pinyin annotation is a parenthesised single syllable, with tone marks (lǐng) or a tone digit
(ling3), straight after a Han character; nothing else in parentheses is touched, so real
parentheses — 村(社区)、农(副)产品 — stay (as full-width ones).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# One syllable: lower-case letters (ü/v too) with at least one tone mark, or letters and a tone
# digit 1–5; a syllable is at most six letters (zhuang).
SYLLABLE = rf"(?:[a-zü]{{0,5}}[{TONED}][a-zü{TONED}]{{0,5}}|[a-züv]{{1,6}}[1-5])"
ANNOTATION = re.compile(rf"(?<=[{HAN}])[(（]\s*{SYLLABLE}\s*[)）]")

# Half-width punctuation next to Chinese text, and the full-width form an office writes.
TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
HALF_PUNCT = re.compile(rf"(?<=[{HAN}”’）》\]])\s*([,;:?!])|([,;:?!])\s*(?=[{HAN}“‘（《])")
PAREN = re.compile(r"\(([^()\n]{0,60})\)")
SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# Characters no document may hold (XML 1.0 forbids them: a Word file could not be written), which
# reach a report only as debris of copying between systems.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class Cleaned:
    text: str
    annotations_removed: int
    converted: int  # characters OpenCC changed (traditional → simplified)


@cache
def _converter():  # type: ignore[no-untyped-def]
    import opencc  # the bundled dictionaries; loading them takes a moment, so once a process

    return opencc.OpenCC("t2s")


def remove_annotations(text: str) -> tuple[str, int]:
    """Drop the pinyin annotations; answer the text and how many were removed."""
    return ANNOTATION.subn("", text)


def to_simplified(text: str) -> str:
    return str(_converter().convert(text))


def _full_width_alnum(text: str) -> str:
    """Full-width digits, letters, %, . and + to half-width (１２．５％ → 12.5%)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        elif ch in "％．＋－／":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def _paren(match: re.Match[str]) -> str:
    inner = match.group(1)
    if re.search(rf"[{HAN}]", inner) or re.search(
        rf"[{HAN}]$", match.string[: match.start()][-1:] or "x"
    ):
        return f"（{inner}）"
    return match.group(0)


def normalise_punctuation(text: str) -> str:
    """Half-width commas, semicolons, colons, question and exclamation marks next to Chinese text
    become full-width (a comma between digits, 1,200, stays); parentheses around or after Chinese
    text become full-width; full-width digits and letters become half-width; runs of spaces
    shrink to one (the space between two names stays)."""
    text = _full_width_alnum(text)
    text = HALF_PUNCT.sub(lambda m: TO_FULL[m.group(1) or m.group(2)], text)
    text = PAREN.sub(_paren, text)
    lines = [SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(lines)


def clean(text: str) -> Cleaned:
    """The three steps in order: annotations (before conversion, which would not touch them
    anyway), traditional → simplified, punctuation."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = CONTROL.sub("", text)
    stripped, removed = remove_annotations(text)
    simplified = to_simplified(stripped)
    converted = sum(1 for a, b in zip(stripped, simplified, strict=False) if a != b)
    return Cleaned(normalise_punctuation(simplified), removed, converted)
