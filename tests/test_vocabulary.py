"""The achievement vocabulary: every record is parsed or refused with its id and field named."""
from __future__ import annotations

import datetime as dt

import pytest
from conftest import GOOD_USCC, std
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.errors import ValidationFailed
from desktop.core.i18n import set_locale
from desktop.core.standards import parse_standard_number
from desktop.core.vocabulary import check_uscc, parse_achievement, parse_batch


def problems_of(rec):
    _achs, probs = parse_batch([rec])
    return {(p.record, p.field) for p in probs if p.severity == "error"}, probs


def test_valid_standard_is_parsed_to_typed_fields():
    a = parse_achievement(std(rank="2", date="2024-02-29"))
    assert a.rank == 2 and a.date == dt.date(2024, 2, 29) and a.level == "national"
    assert a.to_dict()["date"] == "2024-02-29"


def test_wrong_check_character_names_record_and_field_and_expected_char():
    errs, probs = problems_of(std(id="A-7", enterprise="91350100M000100Y44"))
    assert ("A-7", "enterprise") in errs
    assert "should be 3" in str(probs[0])


@pytest.mark.parametrize("code", ["9135010", "91350100M000100Y4", "91350100M000100Y433", "", None])
def test_credit_code_of_wrong_length_or_missing_is_refused(code):
    assert check_uscc(code)[0] is None


def test_unknown_kind_is_refused():
    errs, _ = problems_of({"id": "k1", "enterprise": GOOD_USCC, "kind": "medal", "date": "2024-01-01"})
    assert errs == {("k1", "kind")}


def test_rank_zero_and_negative_and_text_are_refused():
    for bad in (0, -1, "first", 1.5, True):
        errs, _ = problems_of(std(rank=bad))
        assert ("s1", "rank") in errs, bad


@pytest.mark.parametrize("date", ["2023-02-30", "2024-13-01", "2024/01/01", "yesterday", 20240101, "1900-01-01"])
def test_impossible_or_malformed_date_is_refused(date):
    errs, _ = problems_of(std(date=date))
    assert ("s1", "date") in errs


def test_missing_required_kind_field_and_field_of_other_kind():
    errs, _ = problems_of(std(action=None, body="tc"))
    assert ("s1", "action") in errs and ("s1", "body") in errs


def test_unknown_field_is_an_error_not_silently_ignored():
    errs, _ = problems_of(std(levle="national"))
    assert ("s1", "levle") in errs


def test_booleans_and_grades():
    pilot = {"id": "p", "enterprise": GOOD_USCC, "kind": "pilot", "date": "2024-01-01",
             "level": "national", "domain": "service", "accepted": "maybe"}
    assert ("p", "accepted") in problems_of(pilot)[0]
    prize = {"id": "z", "enterprise": GOOD_USCC, "kind": "prize", "date": "2024-01-01",
             "prize": "china-innovation", "grade": 4, "rank": 1}
    assert ("z", "grade") in problems_of(prize)[0]
    gb = {"id": "g", "enterprise": GOOD_USCC, "kind": "good_behavior", "date": "2024-01-01",
          "level": "national", "grade": "AAAA"}
    assert parse_achievement(gb).grade == "AAAA"
    assert ("g", "grade") in problems_of({**gb, "grade": "B"})[0]


def test_level_mismatch_with_standard_number_is_a_warning_only():
    errs, probs = problems_of(std(ref="DB35/T 1234-2021"))
    assert not errs
    assert [p.field for p in probs if p.severity == "warning"] == ["ref"]


def test_duplicate_ids_in_a_batch():
    achs, probs = parse_batch([std(), std()])
    assert len(achs) == 1 and probs[0].field == "id"


def test_raising_form_collects_every_problem():
    with pytest.raises(ValidationFailed) as ei:
        parse_achievement(std(rank=0, date="2023-02-30"))
    assert {p.field for p in ei.value.problems} == {"rank", "date"}


def test_messages_follow_the_users_language():
    set_locale("zh_CN")
    try:
        _e, probs = problems_of(std(rank=0))
        msg = probs[0].message
    finally:
        set_locale("en")
    _e, probs_en = problems_of(std(rank=0))
    assert msg and probs_en[0].message.startswith("the rank starts at 1")


@pytest.mark.parametrize("text,level,norm", [
    ("GB/T 19001-2016", "national", "GB/T 19001-2016"),
    ("GB 2760—2014", "national", "GB 2760-2014"),
    ("GB/Z 41476-2022", "national", "GB/Z 41476-2022"),
    ("QB/T 1002—2005", "industry", "QB/T 1002-2005"),
    ("JB 4732-1995", "industry", "JB 4732-1995"),
    ("DB35/T 1234-2021", "local", "DB35/T 1234-2021"),
    ("DB3505/T 12-2020", "local", "DB3505/T 12-2020"),
    ("T/ZZB 0001-2017", "group", "T/ZZB 0001-2017"),
    ("Q/XXX 001-2020", "enterprise", "Q/XXX 001-2020"),
    ("ISO 9001:2015", "international", "ISO 9001:2015"),
    ("ISO/IEC 27001:2022", "international", "ISO/IEC 27001:2022"),
    ("IEC 60335-1:2020", "international", "IEC 60335-1:2020"),
    ("gb/t  1.1 - 2020", "national", "GB/T 1.1-2020"),
])
def test_standard_numbers_by_level(text, level, norm):
    sn = parse_standard_number(text)
    assert sn is not None and sn.level == level and sn.text == norm


@pytest.mark.parametrize("text", ["", "GB", "19001-2016", "ISO 9001-2015x", "XYZ/T 1-2020", "DB3/T 1-2020"])
def test_not_standard_numbers(text):
    assert parse_standard_number(text) is None


# ---- property tests

_prefix = st.sampled_from(["GB", "GB/T", "GB/Z", "QB/T", "JB", "DB35/T", "DB3505/T", "T/ZZB", "T/CAS"])
_dash = st.sampled_from(["-", "—", "–"])


@given(_prefix, st.integers(1, 99999), st.integers(1950, 2099), _dash, st.booleans())
def test_standard_number_roundtrip(prefix, num, year, dash, spaced):
    spaced = spaced or prefix.startswith("T/")  # group numbers are always written with a space
    text = f"{prefix}{' ' if spaced else ''}{num}{dash}{year}"
    sn = parse_standard_number(text)
    assert sn is not None and sn.year == year and sn.number == str(num)
    assert parse_standard_number(sn.text) == sn  # normalising is idempotent


@given(st.text(max_size=30))
def test_parsers_never_crash_on_arbitrary_text(text):
    parse_standard_number(text)
    check_uscc(text)
    parse_batch([{"id": text or "x", "enterprise": text, "kind": "standard", "date": text,
                  "level": text, "action": text, "rank": text}])


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_every_computed_check_character_validates(body):
    from stdnum.cn import uscc

    code = body + uscc.calc_check_digit(body)
    if code[:8].isdigit():
        assert check_uscc(code)[0] == code
        wrong = "0" if code[-1] != "0" else "1"
        assert check_uscc(code[:-1] + wrong)[0] is None


def test_fast_and_general_paths_agree():
    """Well-formed records take a fast path; unusual spellings the general one: same result."""
    canonical = std(id="c1", ref="GB/T 12345-2024", title="标题")
    messy = std(id="c1", ref="  GB/T   12345-2024 ", title=" 标题 ", level="National", action="Formulate", rank="1",
                enterprise=" " + GOOD_USCC.lower() + " ")
    a, b = parse_achievement(canonical), parse_achievement(messy)
    assert a == b
    assert parse_achievement(canonical) == a  # second time through the caches


@given(st.sampled_from(["2024-02-29", "2023-02-29", "2024-04-31", "1949-09-30", "2100-12-31"]),
       st.sampled_from([GOOD_USCC, GOOD_USCC[:-1] + "4", GOOD_USCC.lower()]),
       st.sampled_from([1, 0, "2", True, 999, 1000]))
def test_caches_never_let_a_bad_value_through(date, code, rank):
    """The fast path only trusts values the full checks accepted before."""
    for _ in range(2):
        achs, probs = parse_batch([std(date=date, enterprise=code, rank=rank)])
        errors = {p.field for p in probs if p.severity == "error"}
        assert bool(achs) == (not errors)
        if date in ("2023-02-29", "2024-04-31", "1949-09-30"):
            assert "date" in errors
        if code.endswith("4"):
            assert "enterprise" in errors
        if rank is True or rank in (0, 1000):
            assert "rank" in errors
