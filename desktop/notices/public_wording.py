"""The wording of the round's public documents as data an office controls, like the award notice's
(``desktop.notices.wording``): the 公示 list's paragraphs and the 不予奖补告知书's, each a text with
``{placeholders}``, the current 公文 wording as the default.

* ``list_opening``: the 公示's first paragraph (``{policy}`` the policy's title in 《》 with its
  document number, ``{year}``, ``{count}`` lines on the list, ``{days}`` working days, ``{start}``
  and ``{end}`` the first and last day written 2026年3月3日);
* ``list_objections``: where and how objections are sent (``{objections_to}``);
* ``list_contact``: whom to ask (``{contact}``);
* ``letter_opening``: the letter's first paragraph (``{policy}`` as cited in the letter, with the
  short name it goes by afterwards, ``{year}``, ``{count}`` claims refused);
* ``letter_review``: how to ask for a review (``{days}`` working days, ``{office}``);
* ``letter_contact``: whom to ask (``{contact}``), added to the review paragraph when the office
  has a contact;
* ``letter_closing`` (特此告知。); ``letter_days``: the working days to ask for a review.

``validate`` accepts only the placeholders each text knows, balanced braces, no line breaks and
nothing longer than a paragraph should be; a problem names the field. A letter stores the wording
it was made with, and a 公示 list the wording of its first print, so a reprint is the same text.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.core.errors import Problem
from desktop.core.i18n import _
from desktop.notices import wording as W

FIELDS: dict[str, frozenset[str]] = {
    "list_opening": frozenset({"policy", "year", "count", "days", "start", "end"}),
    "list_objections": frozenset({"objections_to"}),
    "list_contact": frozenset({"contact"}),
    "letter_opening": frozenset({"policy", "year", "count"}),
    "letter_review": frozenset({"days", "office"}),
    "letter_contact": frozenset({"contact"}),
    "letter_closing": frozenset(),
}
RECORD = "publicity template"  # how a problem names the template

DEFAULT: dict[str, Any] = {
    "list_opening": "根据{policy}有关规定，经企业申报、我局审核，现将{year}年度标准化奖补资金拟奖补名单（共{count}项）予以公示。"
                    "公示期为{days}个工作日，自{start}起至{end}止。",
    "list_objections": "公示期间，任何单位或个人对拟奖补名单有异议的，请以书面形式向{objections_to}提出，单位须加盖公章，"
                       "个人须署真实姓名并注明联系方式，同时提供必要的证明材料。逾期或匿名的异议不予受理。",
    "list_contact": "联系人及电话：{contact}。",
    "letter_opening": "你单位申报的{year}年度标准化奖补事项，我局已依据{policy}审核。经审核，下列{count}项不予奖补，"
                      "现将有关情况告知如下：",
    "letter_review": "如对上述审核意见有异议，或相关成果信息有误、补充材料后可能符合条件的，可自收到本告知书之日起"
                     "{days}个工作日内，持更正后的证明材料（标准文本、批准文件、证书等）向{office}书面申请更正或复核。",
    "letter_contact": "联系人及电话：{contact}。",
    "letter_closing": "特此告知。",
    "letter_days": 15,
}


def merged(template: Mapping[str, Any] | None) -> dict[str, Any]:
    """The office's wording over the defaults (a text it leaves out keeps the default)."""
    out = dict(DEFAULT)
    for k, v in (template or {}).items():
        if k in DEFAULT and v is not None:
            out[k] = v
    return out


def validate(template: Mapping[str, Any]) -> list[Problem]:
    """Problems with an office's wording (an empty list when it can be used), each naming its text."""
    if not isinstance(template, Mapping):
        return [Problem(RECORD, "template", _("must be a table of texts"))]
    problems: list[Problem] = []
    unknown = sorted(set(template) - set(DEFAULT) - {"version"})
    if unknown:
        problems.append(Problem(RECORD, ", ".join(unknown), _("not a part of the publicity template")))
    full = merged(template)
    for name, known in FIELDS.items():
        W._check_text(name, full[name], known, problems)
    days = full["letter_days"]
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        problems.append(Problem(RECORD, "letter_days", _("a whole number of working days from 1 to 90")))
    return [Problem(RECORD, p.field, p.message) for p in problems]


def render(text: str, **values: Any) -> str:
    """``text`` with its placeholders filled (validate first: anything but a plain known name raises
    StdAwardError naming the wording, never formatted)."""
    return W.render_checked(text, values, _("publicity wording"))
