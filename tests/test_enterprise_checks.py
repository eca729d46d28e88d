"""An enterprise's region code and phone number are checked where every record passes (the form,
``stdaward load``, the Excel import): an administrative code with a real province and, for a county
office, a county part; a phone of digits, spaces, + - ( ) and an extension. Each refusal names the
record, the field and the reason, and nothing is written."""
from __future__ import annotations

import json

import pytest

from tests.conftest import GOOD_USCC, OTHER_USCC, run_cli, std


@pytest.mark.parametrize("code, city_level", [("350302", False), ("１１０１０１", False), ("500107", False),
                                              ("810000", False), ("350500", True), (440100, True)])
def test_plausible_region_codes(code, city_level):
    from desktop.core.contacts import region_problem

    assert region_problem(code, city_level) is None


@pytest.mark.parametrize("code, city_level, reason", [
    ("999999", True, "no province"),
    ("161001", True, "no province"),  # 16 is not a province
    ("720101", True, "no province"),
    ("350000", True, "whole province"),
    ("350500", False, "whole city"),
    ("350002", True, "city part is 00"),
    ("35030", True, "six digits"),
    ("35030a", True, "six digits"),
    (True, True, "six digits"),
])
def test_implausible_region_codes_say_why(code, city_level, reason):
    from desktop.core.contacts import region_problem

    assert reason in (region_problem(code, city_level) or "")


@pytest.mark.parametrize("phone", ["0594-2345678", "(0594) 234 5678", "+86 594 2345678", "13800138000",
                                   "0594-2345678转8012", "0594-2345678 ext. 12", "０５９４－２３４５６７８"])
def test_phone_numbers_officers_write(phone):
    from desktop.core.contacts import phone_problem

    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone, reason", [("0594-2345678abc", "only digits"), ("电话待补", "only digits"),
                                           ("0594/2345678", "only digits"), ("12-3", "too few digits"),
                                           ("转8012", "only digits")])
def test_phone_numbers_refused_with_the_reason(phone, reason):
    from desktop.core.contacts import phone_problem

    assert reason in (phone_problem(phone) or "")


@pytest.fixture
def county(tmp_path):
    from desktop.operations.session import Session
    from desktop.store import office

    s = Session.open(tmp_path / "office.db")
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    yield s
    s.close()


def _counts() -> tuple[int, int]:
    from desktop.store.models import Achievement, Enterprise

    return Enterprise.select().count(), Achievement.select().count()


def test_load_refuses_each_bad_region_and_phone_naming_the_record_and_writes_nothing(county):
    from desktop.core.errors import ValidationFailed
    from desktop.operations import records

    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司", "region": "999999"},
                            {"uscc": OTHER_USCC, "name": "乙公司", "region": "350300", "phone": "0594-2345678abc"}],
            "achievements": [std(id="ok")]}
    with pytest.raises(ValidationFailed) as exc:
        records.load(county, data)
    found = {(p.record, p.field): p.message for p in exc.value.problems}
    assert "no province" in found[(GOOD_USCC, "region")]
    assert "whole city" in found[(OTHER_USCC, "region")]  # a county office registers under a county's code
    assert "only digits" in found[(OTHER_USCC, "phone")]
    assert _counts() == (0, 0)


def test_a_city_office_registers_under_a_city_code_and_values_are_stored_half_width(county):
    from desktop.operations import records
    from desktop.store import office

    office.update(region_code="350300", user="tester")
    records.load(county, {"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司", "region": "350300",
                                           "phone": "０５９４－２３４５６７８ 转 12"}], "achievements": []})
    row = records.enterprises(county)[0]
    assert row["region"] == "350300" and row["phone"] == "0594-2345678 转 12"


def test_the_form_check_is_the_same_as_the_load_check(county):
    from desktop.core.errors import ValidationFailed
    from desktop.operations import records

    problems = records.enterprise_problems(county, {"uscc": GOOD_USCC, "name": "甲公司", "region": "999999",
                                                    "phone": "abc"})
    assert {p.field for p in problems if p.severity == "error"} == {"region", "phone"}
    with pytest.raises(ValidationFailed):
        records.save_enterprise(county, {"uscc": GOOD_USCC, "name": "甲公司", "region": "999999"})
    assert _counts() == (0, 0)


def test_the_excel_import_names_sheet_row_and_column_of_a_bad_region_and_phone(county, tmp_path):
    from openpyxl import load_workbook

    from desktop.core.errors import ValidationFailed
    from desktop.operations import records

    path = records.write_template(tmp_path / "企业.xlsx")
    wb = load_workbook(path)
    wb["企业"].append([GOOD_USCC, "莆田市城厢区华峰鞋业有限公司", "999999", None, None, "0594-2345678"])
    wb["企业"].append([OTHER_USCC, "莆田市城厢区海峡食品有限公司", "350302", None, None, "0594-23456xx"])
    wb.save(path)
    with pytest.raises(ValidationFailed) as exc:
        records.load_workbook(county, path)
    found = {(p.record, p.field): p.message for p in exc.value.problems}
    region = next(k for k in found if "行政区划代码" in k[1])
    phone = next(k for k in found if "联系电话" in k[1])
    assert region[0].startswith("工作表“企业”第3行") and "no province" in found[region]
    assert phone[0].startswith("工作表“企业”第4行") and "only digits" in found[phone]
    assert _counts() == (0, 0)


def test_the_command_line_load_exits_2_naming_the_field(tmp_path):
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "甲", "region": "999999"}],
                             "achievements": [std(id="ok")]}), "utf-8")
    r = run_cli("load", str(f), "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2
    assert f"{GOOD_USCC} · region" in r.stderr and "999999" in r.stderr and "Traceback" not in r.stderr
