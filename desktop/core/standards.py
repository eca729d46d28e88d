"""Standard numbers (标准编号): recognise the level a number belongs to and normalise it.

Recognised forms (either "-" or "—"/"–" as the year dash, spaces optional):
  national       GB 2760-2014, GB/T 19001-2016, GB/Z 41476-2022
  national       GJB 9001C-2017 (national military standards)
  industry       QB/T 1002-2005, JB 4732-1995, JGJ/T 98-2010, CJJ 1-2008, JTG D60-2015 (two letters,
                 or JGJ CJJ JTG JTJ; optional /T or /Z; the number may carry a letter: JTG D60, GJB 9001C)
  local          DB35/T 1234-2021, DB3505/T 12-2020 (DB + province code [+ city])
  group          T/ZZB 0001-2017, T/CAS 115-2005 (T/ + the body's code)
  enterprise     Q/XXX 001-2020, Q/320115QJY 001-2020 (Q/ + the enterprise's code)
  international  ISO 9001:2015, IEC 60335-1:2020, ISO/IEC 27001:2022, ISO/TS 16949:2009
  amendments     GB/T 12345-2008/XG1-2019 (修改单 No. 1 of 2019 to the standard)
Full-width input (ＧＢ／Ｔ　１２３４５－２０２４, as a Chinese input method types it) is read as half-width.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DASH = r"[-—–‐－]"
_NUM = r"(?P<num>[A-Z]?\d+[A-Z]?(?:\.\d+)*(?:-\d+)*)"
_XG = r"(?:\s*/\s*(?P<xg>XG\d+\s*[-—–‐－]\s*\d{4}))?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("national", re.compile(rf"^(?P<prefix>GJB(?:/Z)?|GB(?:/[TZ])?)\s*{_NUM}\s*{_DASH}\s*(?P<year>\d{{4}}){_XG}$")),
    ("local", re.compile(rf"^(?P<prefix>DB\d{{2}}(?:\d{{2}})?(?:/[TZ])?)\s*{_NUM}\s*{_DASH}\s*(?P<year>\d{{4}}){_XG}$")),
    ("group", re.compile(rf"^(?P<prefix>T/[A-Z]{{2,12}})\s*{_NUM}\s*{_DASH}\s*(?P<year>\d{{4}}){_XG}$")),
    ("enterprise", re.compile(rf"^(?P<prefix>Q/[A-Z0-9]{{1,20}}(?:\s*[A-Z]{{1,10}})?)\s+{_NUM}\s*{_DASH}\s*(?P<year>\d{{4}})$")),
    ("international", re.compile(r"^(?P<prefix>(?:ISO|IEC)(?:/IEC)?(?:/IEEE)?(?:/(?:TS|TR|PAS))?)\s*(?P<num>\d+(?:-\d+)*)\s*:\s*(?P<year>\d{4})$")),
    ("industry", re.compile(rf"^(?P<prefix>(?:JGJ|CJJ|JTG|JTJ|(?!GB|DB)[A-Z]{{2}})(?:/[TZ])?)\s*(?P<num>\d+(?:\.\d+)*(?:-\d+)*|[A-Z]\d+(?:-\d+)*)\s*{_DASH}\s*(?P<year>\d{{4}}){_XG}$")),
]


# Only the patterns a number's first letter allows are tried (a hot path when validating batches).
_INDUSTRY = [p for p in _PATTERNS if p[0] == "industry"]
_BY_INITIAL = {
    "G": [p for p in _PATTERNS if p[0] in ("national", "industry")],
    "D": [p for p in _PATTERNS if p[0] in ("local", "industry")],
    "T": [p for p in _PATTERNS if p[0] in ("group", "industry")],
    "Q": [p for p in _PATTERNS if p[0] in ("enterprise", "industry")],
    "I": [p for p in _PATTERNS if p[0] in ("international", "industry")],
}


@dataclass(frozen=True)
class StandardNumber:
    level: str  # international, national, industry, local, group, enterprise
    prefix: str  # "GB/T", "DB35/T", "T/ZZB", "ISO/IEC"
    number: str  # "19001", "1.1", "60335-1"
    year: int
    text: str  # normalised: "GB/T 19001-2016", "ISO/IEC 27001:2022"

    @property
    def key(self) -> str:
        """Identity of the standard regardless of spacing and dash style."""
        return self.text.upper()


def parse_standard_number(text: str) -> StandardNumber | None:
    """Parse a standard number; None if it is not one of the recognised forms."""
    if not isinstance(text, str):
        return None
    t = " ".join(unicodedata.normalize("NFKC", text).upper().split())
    if not t:
        return None
    for level, pat in _BY_INITIAL.get(t[0], _INDUSTRY):
        m = pat.match(t)
        if m:
            prefix = m["prefix"].replace(" ", "")
            if level == "enterprise":
                prefix = m["prefix"].strip()
            num, year = m["num"], int(m["year"])
            sep = ":" if level == "international" else "-"
            xg = m.groupdict().get("xg")
            tail = "/" + re.sub(r"\s*[-—–‐－]\s*", "-", xg) if xg else ""
            return StandardNumber(level, prefix, num, year, f"{prefix} {num}{sep}{year}{tail}")
    return None


# A number already written as ``parse_standard_number`` writes it (upper case, ASCII, one space after
# the prefix, "-" before a year of four digits that does not start with 0): its key is itself. Only the
# prefixes whose first letter tries their own pattern first (national, local, group); anything else,
# and anything this does not match, is parsed.
_CANONICAL = re.compile(r"(?:GB/[TZ]|GB|GJB/Z|GJB|DB\d{2}(?:\d{2})?(?:/[TZ])?|T/[A-Z]{2,12}) "
                        r"[A-Z]?\d+[A-Z]?(?:\.\d+)*(?:-\d+)*-[1-9]\d{3}", re.ASCII)


def standard_key(text: str) -> str:
    """``StandardNumber.key`` of a recognised number, else its text with white space collapsed, in
    upper case (the third part of a record's natural key); a number already in its normal form is
    recognised without a full parse (a package of 100,000 records: 1 s less)."""
    if _CANONICAL.fullmatch(text):
        return text
    sn = parse_standard_number(text)
    return sn.key if sn else " ".join(text.split()).upper()


def standard_level(text: str) -> str | None:
    """Only the level a standard number belongs to (cheaper than a full parse), or None."""
    if type(text) is not str or not text:
        return None
    t = text.upper()
    if not t.isascii() or "  " in t or t != t.strip():
        sn = parse_standard_number(text)
        return sn.level if sn else None
    for level, pat in _BY_INITIAL.get(t[0], _INDUSTRY):
        if pat.match(t):
            return level
    return None
