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


def test_an_attached_file_opens_under_its_own_name_not_its_hash(tmp_path):
    """The evidence folder keeps files by their SHA-256; a reader shows the file name it was given
    in its title bar, so the officer's copy carries the name the file was attached with."""
    import os
    import stat

    from desktop.operations import records
    from desktop.operations.session import Session
    from tests.conftest import GOOD_USCC, std

    s = Session.open(tmp_path / "office.db")
    try:
        records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
        cert = tmp_path / "营业执照 扫描件.PDF"
        cert.write_bytes(b"%PDF-1.4 licence")
        other = tmp_path / "b" / "营业执照 扫描件.PDF"
        other.parent.mkdir()
        other.write_bytes(b"%PDF-1.4 another licence")
        odd = tmp_path / 'a:b*c?.pdf'  # a name Linux takes and Windows would not
        odd.write_bytes(b"%PDF-1.4 odd")
        first = records.save_achievement(s, std(id="s1"), evidence=[cert, odd])
        second = records.save_achievement(s, std(id="s2", ref="GB/T 2-2024"), evidence=[other])
        ev_cert, ev_odd = first.evidence
        opened = records.evidence_to_open(s, ev_cert.id)
        assert opened.name == "营业执照 扫描件.PDF" and opened.read_bytes() == cert.read_bytes()
        assert not HEX_RUN.search(opened.name) and opened.parent != s.folder("evidence")
        assert not os.access(opened, os.W_OK) or os.geteuid() == 0  # read-only (root writes anyway)
        assert not opened.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert records.evidence_to_open(s, ev_cert.id) == opened  # the same content: the same copy
        again = records.evidence_to_open(s, second.evidence[0].id)
        assert again.name == "营业执照 扫描件（2）.PDF" and again.read_bytes() == other.read_bytes()
        assert opened.read_bytes() == cert.read_bytes()  # the first copy untouched
        strange = records.evidence_to_open(s, ev_odd.id)
        assert strange.name == "a_b_c_.pdf" and not (WINDOWS_FORBIDDEN & set(strange.name))
        assert records.evidence_file(s, ev_cert.id).read_bytes() == cert.read_bytes()  # the kept file stays
    finally:
        s.close()


def test_an_export_package_is_named_by_the_office_and_the_year(office):
    from desktop.operations import exchange
    from desktop.store import office as officemod

    s = signed_in(office)
    name = officemod.get().name
    assert name and exchange.default_name(s, 2014) == f"{name}2014年度标准化奖补数据.stdpkg"
    by_day = exchange.default_name(s, None)
    assert by_day.startswith(name) and by_day.endswith(f"{DAY.year}年{DAY.month}月{DAY.day}日）.stdpkg")
    officemod.update(name='某某局/"科室"', user="tester")  # a name with characters Windows refuses
    hostile = exchange.default_name(s, 2014)
    assert hostile == "某某局__科室_2014年度标准化奖补数据.stdpkg" and not HEX_RUN.search(hostile)
