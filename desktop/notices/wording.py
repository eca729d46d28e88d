"""The wording of a notice as data an office controls (通知书措辞模板), with 公文-style defaults.

A template is a mapping of named texts with ``{placeholders}``:

* ``opening``: the first paragraph (``{policy}`` the policy's title in 《》 with its document
  number and the short name it is cited by afterwards, ``{short}`` that short name, ``{year}`` the
  notice's year);
* ``line``: one award line (``{n}`` its number as （一）, ``{achievement}`` the achievement in words,
  ``{clause}`` the clause cited as 《意见》第五条第（二）项第2目, ``{amount}`` 人民币…元整（…元）);
  ``kinds`` may give a different ``line`` per achievement kind (``standard``, ``prize`` …);
* ``total``: the sum (``{amount}``), ``payment``: how and when the money is paid and whom to ask
  (``{office}``, ``{contact}``, ``{phone}``, ``{days}``), ``closing`` (特此通知。);
* ``cc``: the 抄送 organs of the 版记 (``{finance}`` is the finance bureau at the office's level).

``validate`` accepts only the placeholders each text knows, balanced braces, no line breaks and
nothing longer than a paragraph should be; a problem names the field. Each issued notice stores the
template (and its version) it was worded with, so a reprint is the same text.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from typing import Any

from desktop.core.errors import Problem, StdAwardError
from desktop.core.i18n import _

FIELDS: dict[str, frozenset[str]] = {
    "opening": frozenset({"policy", "short", "year"}),
    "line": frozenset({"n", "achievement", "clause", "amount"}),
    "total": frozenset({"amount"}),
    "payment": frozenset({"office", "contact", "phone", "days"}),
    "closing": frozenset(),
}
KINDS = ("standard", "secretariat", "prize", "pilot", "leader", "research", "project", "gi", "good_behavior",
         "adoption", "self_declared", "innovation_base")
CC_FIELDS = frozenset({"finance"})
MAX_TEXT = 400  # characters in one text: about 14 lines of the notice
MAX_CC = 10

DEFAULT: dict[str, Any] = {
    "version": 1,
    "opening": "根据{policy}有关规定，经审核，你单位下列标准化成果符合奖补条件，现将{year}年度标准化奖补资金核定如下：",
    "line": "{n}依据{clause}规定，你单位{achievement}，给予奖补资金{amount}。",
    "kinds": {},
    "total": "以上合计{amount}。",
    "payment": "奖补资金由财政部门通过国库集中支付方式拨付至你单位基本存款账户，请于收到本通知之日起{days}个工作日内"
               "将开户银行、账号等信息报送{office}{contact}。奖补资金应按规定用途使用，自觉接受财政、审计等部门的监督检查。",
    "closing": "特此通知。",
    "cc": ["{finance}"],
    "days": 15,
}


def merged(template: Mapping[str, Any] | None) -> dict[str, Any]:
    """The office's template over the defaults (a text it leaves out keeps the default)."""
    out = dict(DEFAULT)
    out["kinds"] = dict(DEFAULT["kinds"])
    for k, v in (template or {}).items():
        if k == "kinds" and isinstance(v, Mapping):
            out["kinds"].update(v)
        elif k in out and v is not None:
            out[k] = v
    return out


def _placeholders(text: str) -> list[str]:
    """The placeholders of ``text`` as written: a format spec or conversion is kept in the name
    (``{year:>9}`` gives ``year:>9``), so it is never a known name and is refused."""
    out = []
    for _lit, name, spec, conv in string.Formatter().parse(text):
        if name is not None:
            out.append(name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else ""))
    return out


# control characters, line and paragraph separators, invisible format characters (bidi overrides,
# zero-width spaces): none belongs in a 公文 paragraph, and some would reorder or hide its words
_HIDDEN = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def _hidden_characters(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _HIDDEN})


def render_checked(text: str, values: Mapping[str, Any], what: str | None = None) -> str:
    """``text`` with its plain ``{name}`` placeholders filled from ``values``. A placeholder with a
    format spec, a conversion, an attribute or an index, or a name ``values`` lacks, raises
    StdAwardError naming ``what`` (such a text was never validated: edited outside the program)."""
    what = what or _("notice template")
    out = []
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise StdAwardError(_("the {what} has an unmatched {{ or }}: it was not saved by this program").format(
            what=what)) from None
    for literal, name, spec, conv in parts:
        out.append(literal)
        if name is None:
            continue
        if spec or conv or name not in values:
            raise StdAwardError(_("the {what} has a placeholder this program does not fill: {{{name}}}").format(
                what=what, name=(name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else ""))[:40]))
        out.append(str(values[name]))
    return "".join(out)


def _check_text(field: str, text: Any, known: frozenset[str], problems: list[Problem],
                required: bool = True) -> None:
    if not isinstance(text, str):
        problems.append(Problem("notice template", field, _("must be text")))
        return
    if required and not text.strip():
        problems.append(Problem("notice template", field, _("must not be empty")))
        return
    if re.search(r"[\r\n\t]", text):
        problems.append(Problem("notice template", field, _("must be one paragraph: no line breaks or tabs")))
    elif hidden := _hidden_characters(text):
        problems.append(Problem("notice template", field, _(
            "has control or invisible characters ({chars}): type the text again").format(chars="、".join(hidden[:5]))))
    if len(text) > MAX_TEXT:
        problems.append(Problem("notice template", field, _("is {n} characters long; at most {max}").format(
            n=len(text), max=MAX_TEXT)))
    try:
        names = _placeholders(text)
    except ValueError:
        problems.append(Problem("notice template", field, _(
            "has an unmatched {{ or }}: a placeholder is written like {{amount}}")))
        return
    unknown = [n for n in names if n not in known]
    if unknown:
        allowed = "、".join(f"{{{k}}}" for k in sorted(known)) or _("none")
        problems.append(Problem("notice template", field, _(
            "unknown placeholder {names}; this text may use: {allowed}").format(
                names="、".join(f"{{{n}}}" for n in unknown), allowed=allowed)))


def validate(template: Mapping[str, Any]) -> list[Problem]:
    """Problems with an office's template (an empty list when it can be used)."""
    problems: list[Problem] = []
    if not isinstance(template, Mapping):
        return [Problem("notice template", "template", _("must be a table of texts"))]
    unknown = sorted(set(template) - set(DEFAULT))
    if unknown:
        problems.append(Problem("notice template", ", ".join(unknown), _("not a part of the notice template")))
    full = merged(template)
    for name, known in FIELDS.items():
        _check_text(name, full[name], known, problems)
    kinds = full["kinds"]
    if not isinstance(kinds, Mapping):
        problems.append(Problem("notice template", "kinds", _("must be a table of kind → line wording")))
    else:
        for kind, text in kinds.items():
            if kind not in KINDS:
                problems.append(Problem("notice template", f"kinds.{kind}", _("unknown achievement kind")))
            else:
                _check_text(f"kinds.{kind}", text, FIELDS["line"], problems)
    cc = full["cc"]
    if not isinstance(cc, list) or len(cc) > MAX_CC:
        problems.append(Problem("notice template", "cc", _("must be a list of at most {max} organs").format(
            max=MAX_CC)))
    else:
        for i, organ in enumerate(cc, start=1):
            _check_text(f"cc {i}", organ, CC_FIELDS, problems)
            if isinstance(organ, str) and re.search(r"[，,、；;。]", organ):
                problems.append(Problem("notice template", f"cc {i}", _(
                    "one organ per entry: no commas or full stops inside")))
    days = full["days"]
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        problems.append(Problem("notice template", "days", _("a whole number of working days from 1 to 90")))
    return problems


def finance_bureau(office_name: str) -> str:
    """The finance bureau at the office's level: 莆田市城厢区市场监督管理局 → 莆田市城厢区财政局."""
    m = re.match(r"(.+?[省市区县旗州盟])(?:市场监督管理局|市场监管局|质量技术监督局|质量技术监督管理局|"
                 r"市场和质量监督管理委员会|市场监督管理委员会)$", office_name)
    return f"{m.group(1)}财政局" if m else "同级财政部门"


def render(text: str, **values: Any) -> str:
    """``text`` with its placeholders filled (validate first: anything but a plain known name raises
    StdAwardError, never formatted: ``{x:>999999999}`` or ``{x.__class__}`` would be)."""
    return render_checked(text, values)
