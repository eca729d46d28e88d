"""Plausibility checks for an enterprise's region code and phone number (Qt-free, no I/O), shared by
the enterprise form, ``stdaward load`` and the Excel import.

* A region code is a GB/T 2260 administrative division code: six digits whose first two are a
  province (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82). The county part (the last two
  digits) is 00 only for a city as a whole, which only a city-level office registers; a code with
  both the city and the county part 00 names a whole province and is refused (Taiwan, Hong Kong and
  Macau have only the province-level code). Typed full-width digits are read as digits.
* A phone number holds only digits, spaces, ``+``, ``-`` and parentheses, optionally followed by an
  extension (``转 8012``, ``ext 8012``, ``分机 8012``), with at least five digits in the number.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from desktop.core.i18n import _

PROVINCES = frozenset({*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
                       *range(61, 66), 71, 81, 82})
PROVINCE_ONLY = frozenset({71, 81, 82})  # a single code for the whole place
PROVINCE_LIST = "11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82"

_PHONE = re.compile(r"^\+?[0-9 ()\-]+?(?:\s*(?:转|分机|ext\.?|x)\s*([0-9]{1,6}))?$", re.IGNORECASE)


def normalise(value: Any) -> str:
    """The text as typed, full-width characters (a Chinese input method) folded, outer spaces dropped."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def region_problem(value: Any, city_level: bool = False) -> str | None:
    """Why ``value`` is no plausible region code for an enterprise, or None. ``city_level``: the
    office is a city's, so a city-wide code (county part 00) is accepted."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return _("a region code has six digits (GB/T 2260), not {value!r}").format(value=value)
    code = normalise(value)
    if not re.fullmatch(r"[0-9]{6}", code):
        return _("a region code has six digits (GB/T 2260), not {value!r}").format(value=code)
    province, city, county = int(code[:2]), code[2:4], code[4:]
    if province not in PROVINCES:
        return _("{code} is not an administrative division code: its first two digits {prefix} are no province "
                 "of GB/T 2260 ({provinces})").format(code=code, prefix=code[:2], provinces=PROVINCE_LIST)
    if province in PROVINCE_ONLY:
        return None
    if city == "00" and county == "00":
        return _("{code} names a whole province: give the code of the enterprise's county (e.g. {example})").format(
            code=code, example=f"{code[:2]}0102")
    if city == "00":
        return _("{code} is not an administrative division code: its city part is 00").format(code=code)
    if county == "00" and not city_level:
        return _("{code} names a whole city: give the code of the enterprise's county or district (only a city-level "
                 "office registers enterprises under a city's code)").format(code=code)
    return None


def phone_problem(value: str) -> str | None:
    """Why ``value`` is no phone number, or None."""
    text = normalise(value)
    if not text:
        return None
    if not _PHONE.match(text):
        return _("a phone number holds only digits, spaces, +, - and parentheses, and an extension after 转 or "
                 "ext; not {value!r}").format(value=text)
    number = re.split(r"转|分机|ext|x", text, maxsplit=1, flags=re.IGNORECASE)[0]
    if sum(c.isdigit() for c in number) < 5:
        return _("{value!r} has too few digits for a phone number").format(value=text)
    return None
