"""Attacks on the office-editable wording of the 公示 list and the 不予奖补告知书, and on what a
placeholder can reach.

* a wording text whose placeholder carries a format spec, a conversion, an attribute or an index
  (``{year:>999999999}``, ``{count!r}``, ``{policy.__class__}``, ``{count:{days}}``) is refused when
  saved, naming the text, and never rendered: formatting it would build a gigabyte of padding or
  reach into the program's objects;
* control characters, line and paragraph separators and invisible format characters are refused;
"""
from __future__ import annotations

import datetime as dt

import pytest
from test_refusals import office, session  # noqa: F401 - fixture

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.notices import public_wording as PW
from desktop.notices import wording as W
from desktop.operations import publicity as P

HOSTILE = ["根据{policy}，{year:>999999999}年度公示。", "共{count!r}项。", "依据{policy.__class__}公示。",
           "共{count:{days}}项。", "共{count[0]}项。", "依据{policy.__init__.__globals__}公示。", "共{count:,}项。"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_placeholder_with_a_format_spec_conversion_or_attribute_is_refused_and_never_rendered(office, text):  # noqa: F811
    admin = session(office, "clerk1", "password-1")
    with pytest.raises(ValidationFailed) as bad:
        P.save_wording(admin, {"list_opening": text})
    assert [p.field for p in bad.value.problems] == ["list_opening"]
    assert P.wording(admin) == (0, {})  # nothing stored
    # the award notice's template uses the same check
    assert [p.field for p in W.validate({"opening": text.replace("{count", "{year")})] == ["opening"]
    # a text that reaches render without validation (a snapshot edited by hand) is refused there too
    with pytest.raises(StdAwardError):
        PW.render(text, policy="《办法》", year=2025, count=3, days=5)


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x0c", "\x1b", "\x85", "\u2028", "\u2029", "\u202e", "\u200b"])
def test_control_and_invisible_characters_in_the_wording_are_refused(office, char):  # noqa: F811
    admin = session(office, "clerk1", "password-1")
    with pytest.raises(ValidationFailed) as bad:
        P.save_wording(admin, {"letter_closing": f"特此{char}告知。"})
    assert [p.field for p in bad.value.problems] == ["letter_closing"]
    assert P.wording(admin) == (0, {})


def test_the_longest_wording_allowed_never_leaves_the_signature_alone_on_a_page(office, tmp_path):  # noqa: F811
    """Every letter text at the longest the check allows: the letters still print, and the page with
    the 落款 (the date of the letters) also carries the end of the text (特此告知), never alone."""
    import subprocess

    from test_refusals import approved_round

    uuid = approved_round(office)
    admin = session(office, "clerk1", "password-1")
    long_text = "经复核，" + "相关材料须真实完整" * 60
    words = {"letter_opening": long_text[:W.MAX_TEXT - 21] + "{year}{policy}{count}",
             "letter_review": long_text[:W.MAX_TEXT - 14] + "{days}{office}",
             "letter_contact": long_text[:W.MAX_TEXT - 9] + "{contact}",
             "letter_closing": long_text[:W.MAX_TEXT - 4] + "特此告知"}
    assert all(len(t) == W.MAX_TEXT for t in words.values())
    assert P.wording_problems(words) == []
    P.save_wording(admin, words)
    P.set_refusal_prefix(admin, "泉市监告")
    done = P.write_refusals(session(office, "boss", "password-2"), uuid, tmp_path / "l.pdf", dt.date(2025, 3, 3))
    out = subprocess.run(["pdftotext", "-layout", str(done["path"]), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = [p.replace(" ", "") for p in out.split("\f") if p.strip()]
    dated = [p for p in pages if "2025年3月3日" in p]
    assert len(dated) == done["letters"] == 2 and len(pages) >= 2 * len(dated)  # each letter runs over a page
    for page in dated:
        assert "特此告知" in page
        assert page.index("特此告知") < page.index("2025年3月3日")
