"""Files saved and messages shown name what an officer files by (year, 发文字号), never an internal
id, with safe Windows names and Chinese number lists."""
from __future__ import annotations

import re

import pytest
from test_notice_rounds import DAY, prepared_round, signed_in

from desktop.core.docnames import MAX_NAME, number_list, safe_filename, unique_path
from desktop.operations import notices as ops

HEX_RUN = re.compile(r"[0-9a-f]{8,}", re.IGNORECASE)
WINDOWS_FORBIDDEN = set('\\/:*?"<>|')


@pytest.fixture
def office(db):
    from test_notice_rounds import office as setup

    return setup.__wrapped__(db)


@pytest.mark.parametrize(("numbers", "expected"), [
    ([f"城市监〔2025〕{i}号" for i in range(1, 10)], "城市监〔2025〕1—9号"),
    (["城市监〔2025〕3号", "城市监〔2025〕1号", "城市监〔2025〕2号", "城市监〔2025〕5号",
      "城市监〔2025〕7号", "城市监〔2025〕8号", "城市监〔2025〕9号"], "城市监〔2025〕1—3、5、7—9号"),
    (["城市监〔2025〕4号", "城市监〔2025〕5号"], "城市监〔2025〕4、5号"),
    (["城市监〔2025〕12号"], "城市监〔2025〕12号"),
    (["城市监〔2025〕1号", "城市监〔2026〕1号", "城市监〔2026〕2号"], "城市监〔2025〕1号、城市监〔2026〕1、2号"),
    (["城市监〔2025〕1号", "手写第3号"], "城市监〔2025〕1号、手写第3号"),
    ([], ""),
])
def test_document_numbers_are_listed_with_the_chinese_comma_and_ranges(numbers, expected):
    assert number_list(numbers) == expected
    assert ", " not in number_list(numbers)


@pytest.mark.parametrize("hostile", ['a\\b/c:d*e?f"g<h>i|j', "CON", "nul.txt", "名称. . ", "\x00\x1f", "", "  "])
def test_a_hostile_name_becomes_a_file_name_windows_accepts(hostile, tmp_path):
    name = safe_filename(hostile, ".pdf")
    assert name.endswith(".pdf") and not (WINDOWS_FORBIDDEN & set(name))
    assert all(ord(c) >= 32 for c in name)
    stem = name[:-4]
    assert stem and not stem.endswith((".", " ")) and stem.split(".")[0].upper() not in {"CON", "NUL"}
    (tmp_path / name).write_bytes(b"x")  # and the file system takes it


def test_an_over_long_name_is_cut_keeping_its_suffix_and_stays_unique_when_saved_again(tmp_path):
    numbers = [f"某某市市场监督管理局标准化办公室〔2025〕{i}号" for i in range(1, 200, 2)]
    title = f"2025年度标准化奖补通知书（{number_list(numbers)}）"
    first = unique_path(tmp_path, title, ".pdf")
    assert len(first.name) <= MAX_NAME and first.name.endswith("….pdf")
    first.write_bytes(b"1")
    second = unique_path(tmp_path, title, ".pdf")
    assert second != first and len(second.name) <= MAX_NAME and second.name.endswith("（2）.pdf")
    second.write_bytes(b"2")
    assert unique_path(tmp_path, title, ".pdf").name.endswith("（3）.pdf")
    assert first.read_bytes() == b"1"  # nothing overwritten


def test_issued_notices_are_saved_under_the_year_and_their_numbers_and_a_reissue_keeps_the_first_files(office):
    rnd = prepared_round()
    s = signed_in(office)
    first = ops.issue_and_print(s, rnd.uuid, DAY)
    assert first["path"].name == "2014年度标准化奖补通知书（泉市监〔2015〕1号）.pdf"
    assert first["archive"].name == "2014年度标准化奖补通知书存档联（泉市监〔2015〕1号）.pdf"
    assert first["number_list"] == "泉市监〔2015〕1号"
    ops.void(s, "泉市监〔2015〕1号", "金额有误")
    second = ops.issue_and_print(s, rnd.uuid, DAY)
    assert second["numbers"] == ["泉市监〔2015〕2号"]
    names = {p.name for p in (first["path"], first["archive"], second["path"], second["archive"])}
    assert len(names) == 4 and all(p.exists() for p in (first["path"], first["archive"]))
    for result in (first, second):
        for key in ("path", "archive"):
            name = result[key].name
            assert not HEX_RUN.search(name), name
            assert rnd.uuid[:8] not in name and not (WINDOWS_FORBIDDEN & set(name))
