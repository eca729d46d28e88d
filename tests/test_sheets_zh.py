"""Spreadsheets in Chinese: standard numbers officers actually write (JGJ/T, CJJ, JTG, GJB, 修改单),
full-width input from a Chinese input method, and the Excel template and import in Chinese."""
from __future__ import annotations

import pytest
from conftest import GOOD_USCC, std


@pytest.mark.parametrize("text, level, normal", [
    ("JGJ/T 98-2010", "industry", "JGJ/T 98-2010"),
    ("CJJ 1-2008", "industry", "CJJ 1-2008"),
    ("JTG D60-2015", "industry", "JTG D60-2015"),
    ("GJB 9001C-2017", "national", "GJB 9001C-2017"),
    ("GB/T 12345-2008/XG1-2019", "national", "GB/T 12345-2008/XG1-2019"),
    ("DB35/T 1234-2021 / XG1—2022", "local", "DB35/T 1234-2021/XG1-2022"),
    ("ＧＢ／Ｔ　１２３４５－２０２４", "national", "GB/T 12345-2024"),
    ("ｊｇｊ／ｔ　９８－２０１０", "industry", "JGJ/T 98-2010"),
])
def test_standard_numbers_officers_write(text, level, normal):
    from desktop.core.standards import parse_standard_number, standard_level

    sn = parse_standard_number(text)
    assert sn is not None and sn.level == level and sn.text == normal
    assert standard_level(text) == level


@pytest.mark.parametrize("text", ["GB/T 12345-2008/XG1", "JGJXY/T 98-2010", "GB 12345", "ISO 9001-2015", "XYZ/T 1-2020", "JTGX D60-2015"])
def test_near_misses_are_not_standard_numbers(text):
    from desktop.core.standards import parse_standard_number

    assert parse_standard_number(text) is None


def test_full_width_credit_codes_and_standard_numbers_are_read_as_half_width():
    from desktop.core.vocabulary import parse_batch

    full = "".join(chr(ord(c) + 0xFEE0) for c in GOOD_USCC)  # ９１３５… as a full-width input method types it
    achs, problems = parse_batch([std(enterprise=full, ref="ＧＢ／Ｔ　１２３４５－２０２４"),
                                  std(id="s2", ref="莆田市鞋业标准化项目（第２期）", kind="project", level="municipal",
                                      action=None, rank=None)])
    assert problems == []
    assert achs[0].enterprise == GOOD_USCC and achs[0].ref == "GB/T 12345-2024"
    assert achs[1].ref == "莆田市鞋业标准化项目（第２期）"  # a project's name keeps its characters


# ------------------------------------------------------------------ the workbook in Chinese
@pytest.fixture
def s(tmp_path):
    from desktop.operations.session import Session

    session = Session.open(tmp_path / "office.db")
    yield session
    session.close()


def counts() -> tuple[int, int]:
    from desktop.store.models import Achievement, Enterprise

    return Enterprise.select().count(), Achievement.select().count()


def chinese_workbook(path, rows):
    """A workbook as an officer fills the template: Chinese headers, Chinese words, full-width codes."""
    from openpyxl import load_workbook

    from desktop.exchange.xlsx import write_template

    write_template(path)
    wb = load_workbook(path)
    wb["企业"].append(["９１３５０１００Ｍ０００１００Ｙ４３", "莆田市城厢区华峰鞋业有限公司", "350302"])
    for r in rows:
        wb["成果"].append(r)
    wb.save(path)
    return path


GOOD_ROWS = [
    ["A-1", GOOD_USCC, "「标准制修订」", "2024-05-01", "ＧＢ／Ｔ　３０００１－２０２４", "示例：鞋类通用规范", "国家", "制定", 1],
    ["A-2", GOOD_USCC, "标准化技术组织秘书处", "2024-06-01", "SAC/TC 305/SC 1", None, "全国", None, None, "分技术委员会"],
    ["A-3", GOOD_USCC, "标准奖项", "2024-07-01", "GB/T 30001-2024", None, None, None, 1, None,
     "中国标准创新贡献奖", "二等奖"],
    ["A-4", GOOD_USCC, "标准化试点示范项目", "2024-08-01", "福建省鞋业标准化试点", None, "省级", None, None, None,
     None, None, "工业", "是"],
    ["A-5", GOOD_USCC, "standard", "2024-09-01", "JGJ/T 98-2010/XG1-2024", None, "industry", "revise", 2],
]


def test_a_workbook_in_chinese_words_loads_as_codes(s, tmp_path):
    from desktop.operations import records

    records.load_workbook(s, chinese_workbook(tmp_path / "成果.xlsx", GOOD_ROWS))
    got = {a.id: a for a in records.achievements(s)}
    assert counts() == (1, 5)  # the example rows of the template are not imported
    a1, a2, a3, a4, a5 = (got[f"A-{i}"] for i in range(1, 6))
    assert (a1.kind, a1.level, a1.action, a1.ref) == ("standard", "national", "formulate", "GB/T 30001-2024")
    assert a1.title == "示例：鞋类通用规范"  # only the template's own example row (row 2, first cell) is skipped
    assert (a2.kind, a2.level, a2.body) == ("secretariat", "national", "sc")
    assert (a3.prize, a3.grade) == ("china-innovation", "2")
    assert (a4.level, a4.domain, a4.accepted) == ("provincial", "industry", True)
    assert (a5.level, a5.action, a5.ref) == ("industry", "revise", "JGJ/T 98-2010/XG1-2024")


def test_each_error_is_named_by_sheet_row_and_column_in_chinese_and_nothing_is_imported(s, tmp_path):
    from desktop.core.errors import ValidationFailed
    from desktop.operations import records

    bad = [
        ["B-1", "91350100M000100Y44", "标准制修订", "2024-05-01", "GB/T 30001-2024", None, "国家", "制定", 1],  # check char
        ["B-2", GOOD_USCC, "标准制修订", "2024-02-30", "GB/T 30002-2024", None, "国家", "制定", 1],  # no such date
        ["B-3", GOOD_USCC, "标准制修订", "2024-05-01", "GB/T 30003-2024", None, "宇宙", "制定", 1],  # unknown level
        ["B-4", GOOD_USCC, "标准制修订", "2024-05-01", "GB/T 30004-2024", None, "国家", "废止", 1],  # unknown action
        ["B-5", GOOD_USCC, "标准制修订", "2024-05-01", "GB/T 30005-2024", None, "国家", "制定", "第一"],  # rank
        ["B-6", GOOD_USCC, "标准奖项", "2024-05-01", "GB/T 30006-2024", None, None, None, 1, None,
         "中国标准创新贡献奖", "特等奖"],  # grade
        ["B-7", GOOD_USCC, "标准化试点示范项目", "2024-05-01", "某试点", None, "省级", None, None, None, None, None,
         "工业", "也许"],  # accepted
        ["B-8", GOOD_USCC, "标准化试点", "2024-05-01", "某试点"],  # kind
    ]
    with pytest.raises(ValidationFailed) as exc:
        records.load_workbook(s, chinese_workbook(tmp_path / "有错.xlsx", bad))
    found = {(p.record, p.field) for p in exc.value.problems if p.severity == "error"}
    assert {
        ("工作表“成果”第3行（B-1）", "B列“企业统一社会信用代码”"),
        ("工作表“成果”第4行（B-2）", "D列“日期”"),
        ("工作表“成果”第5行（B-3）", "G列“级别”"),
        ("工作表“成果”第6行（B-4）", "H列“制修订类别”"),
        ("工作表“成果”第7行（B-5）", "I列“排名”"),
        ("工作表“成果”第8行（B-6）", "L列“等级”"),
        ("工作表“成果”第9行（B-7）", "N列“是否验收合格”"),
        ("工作表“成果”第10行（B-8）", "C列“类别”"),
    } <= found
    assert all(p.record.startswith("工作表“") for p in exc.value.problems)
    assert counts() == (0, 0)


def test_an_xls_workbook_is_explained(s, tmp_path):
    from desktop.core.errors import BadFile
    from desktop.operations import records

    old = tmp_path / "成果2024.xls"
    old.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    renamed = tmp_path / "成果2024.xlsx"  # the same file with its name changed
    renamed.write_bytes(old.read_bytes())
    for path in (old, renamed):
        with pytest.raises(BadFile) as exc:
            records.load_workbook(s, path)
        assert str(path) in str(exc.value) and "请在 Excel 中另存为 .xlsx" in str(exc.value)
    from tests.conftest import run_cli

    r = run_cli("load", str(old), "--db", str(tmp_path / "o.db"))
    assert r.returncode == 2 and "请在 Excel 中另存为 .xlsx" in r.stderr, r.stderr


def test_the_template_is_in_chinese_with_drop_down_lists(tmp_path):
    from openpyxl import load_workbook

    from desktop.exchange.xlsx import write_template

    wb = load_workbook(write_template(tmp_path / "模板.xlsx"))
    ach = wb["成果"]
    assert [c.value for c in ach[1]][:9] == ["成果编号", "企业统一社会信用代码", "类别", "日期", "标准编号/项目编号",
                                           "名称", "级别", "制修订类别", "排名"]
    assert ach["C2"].value == "标准制修订" and ach["G2"].value == "国家" and ach["A2"].value.startswith("示例")
    lists = {str(dv.sqref): dv.formula1 for dv in ach.data_validations.dataValidation}
    assert set(lists) >= {"C3:C1002", "G3:G1002", "H3:H1002", "J3:J1002", "K3:K1002", "L3:L1002", "M3:M1002",
                          "N3:N1002"}
    options = wb["选项"]
    assert options.sheet_state == "hidden"
    kinds = lists["C3:C1002"].lstrip("=").split("!")[1].replace("$", "").split(":")
    assert [options[f"{kinds[0][0]}{r}"].value for r in range(2, 4)] == ["标准制修订", "标准化技术组织秘书处"]
    assert "制定" in [c.value for c in options[lists["H3:H1002"].split("!")[1].replace("$", "")[0]]]
