"""Award notices: GB/T 9704 layout measured on the PDF, serials, reprints, verification, copies."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import zlib
from decimal import Decimal as D
from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC, std

from desktop.core.award import AwardResult
from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.vocabulary import Achievement

MM = 72 / 25.4
DAY = dt.date(2026, 11, 22)
POLICY = {"id": "putian-chengxiang-2021", "title": "莆田市城厢区人民政府关于实施标准化战略的意见",
          "document_number": "莆城政〔2021〕88号", "content_hash": "ab" * 32}
FLAG = "第五(二)2项原文“修订”比照制定的50%，按此理解计算"


def results(amount_b: str = "100500.05"):
    achs = {
        "s1": Achievement("s1", GOOD_USCC, "standard", dt.date(2026, 5, 1), ref="GB/T 12345-2026",
                          title="茶叶加工技术规范", level="national", action="formulate", rank=1),
        "s2": Achievement("s2", GOOD_USCC, "standard", dt.date(2026, 6, 1), ref="DB35/T 1234-2026",
                          level="local", action="revise", rank=2),
        "t1": Achievement("t1", OTHER_USCC, "secretariat", dt.date(2026, 3, 1), level="national", body="sc"),
        "x1": Achievement("x1", OTHER_USCC, "leader", dt.date(2026, 3, 1), level="national"),
    }
    res = [
        AwardResult("s1", "awarded", D("100000.00"), "std-formulate", "五(二)2", "国家标准制定 第1位 100,000",
                    (), GOOD_USCC, "main", "standard"),
        AwardResult("s2", "awarded", D("15000.00"), "std-revise", "五(二)2", "地方标准修订 第2位 30,000 × 50% = 15,000",
                    (FLAG,), GOOD_USCC, "main", "standard"),
        AwardResult("t1", "awarded", D(amount_b), "secretariat", "五(二)1", "全国分技术委员会秘书处",
                    (), OTHER_USCC, "main", "secretariat"),
        AwardResult("x1", "not_eligible", None, None, None, "not covered", (), OTHER_USCC, None, "leader"),
    ]
    return res, achs


NAMES = {GOOD_USCC: "福建省莆田市鑫堃茶业有限公司", OTHER_USCC: "莆田市城厢区燊昇电子科技有限公司"}


@pytest.fixture
def office(db):
    from desktop.store import office as officemod

    officemod.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监", user="tester")
    return db


def S():
    """A session over the open test database (no accounts: the one user acts as administrator)."""
    from desktop.operations.session import Session
    from desktop.store.db import db_path

    return Session.attach(db_path(), clock=lambda: DAY)


def issue(amount_b: str = "100500.05", names=None):
    """Official notices for computed results, as a round's would be (the layout tests need numbers)."""
    from desktop.operations import notices as store

    res, achs = results(amount_b)
    return store._issue(S(), res, achs, names or NAMES, POLICY, DAY, 2026, None)


def words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, text) in points from the top-left, via poppler's pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pat = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in pat.findall(out)]


def text_of(pdf: Path) -> str:
    """The PDF's text with line breaks and spaces removed (wrapped lines joined)."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s", "", out)


def test_layout_follows_gb9704(office, tmp_path):
    from desktop.notices import layout as L
    from desktop.operations import notices as store

    notices = issue()
    pdf = store.print_notices(S(), notices, tmp_path / "n.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    w1 = words(pdf, 1)
    body = [w for w in w1 if w[4].startswith(("根据", "福建省莆田市鑫堃"))]
    salutation = next(w for w in w1 if w[4] == "福建省莆田市鑫堃茶业有限公司：")
    assert abs(salutation[0] - 28 * MM) < 0.5  # left margin 28 mm, 主送 flush left
    first_para = next(w for w in body if w[4].startswith("根据"))
    assert abs(first_para[0] - (28 * MM + 2 * L.CHAR_PITCH)) < 0.5  # paragraphs indented two characters
    full = [w for w in w1 if w[2] - w[0] > 400]
    assert full and all(w[2] <= (28 + 156) * MM + 1 for w in w1)  # nothing beyond the type area
    assert max(w[2] for w in full) > (28 + 156) * MM - 3  # a full line spans the 156 mm measure
    number = next(w for w in w1 if w[4] == "城市监〔2026〕1号")
    assert abs((number[0] + number[2]) / 2 - 106 * MM) < 1  # 发文字号 centred in the type area (28 + 156/2 mm)
    title = next(w for w in w1 if "标准化奖补资金的通知" in w[4])
    assert abs((title[0] + title[2]) / 2 - 106 * MM) < 1 and abs((title[3] - title[1]) - 22) < 0.5  # 2号
    assert abs((first_para[3] - first_para[1]) - 16) < 0.5  # 3号 body
    authority = next(w for w in w1 if w[4] == "莆田市城厢区市场监督管理局")
    assert authority[1] > 37 * MM + 34 * MM  # 版头 35 mm below the type area's top edge
    # lines on the 22-line grid: consecutive body lines 225/22 mm apart
    ys = sorted({round(w[1], 2) for w in w1 if w[0] < 120 and w[1] > first_para[1] - 1 and w[3] - w[1] == 16})
    gaps = {round(b - a, 2) for a, b in zip(ys, ys[1:])}
    assert gaps and all(abs(g - 225 * MM / 22) < 0.05 for g in gaps)
    # a continuation page starts on the type area's top edge, 37 mm from the top of the sheet
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2
    w2 = words(pdf, 2)
    top = min(w[1] for w in w2 if w[3] - w[1] == 16)
    assert abs(top - (L.LINE_PITCH - 16) / 2 - 37 * MM) < 0.6
    # page numbers 4号 "— n —" 7 mm below the type area, odd right / even left, one character in
    dash1 = [w for w in w1 if w[4] == "—"]
    assert len(dash1) == 2 and abs(dash1[-1][2] - ((28 + 156) * MM - 14)) < 0.5
    assert abs(dash1[0][1] - ((37 + 225 + 7) * MM)) < 1.5 and abs((dash1[0][3] - dash1[0][1]) - 14) < 0.5
    dash2 = [w for w in w2 if w[4] == "—"]
    assert abs(dash2[0][0] - (28 * MM + 14)) < 0.5


def test_only_the_authority_is_red_and_only_headings_are_stroked(office, tmp_path):
    """The 版头 is red; the 发文字号 below it and the body are black (a stroke mode left set by the
    emboldened heading once outlined them in red and thickened every later line)."""
    from PIL import Image

    from desktop.operations import notices as store

    pdf = store.print_notices(S(), issue(), tmp_path / "n.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    img = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    w1 = words(pdf, 1)

    def red_share(word):
        box = img.crop(tuple(round(v) for v in word[:4]))
        inked = [(r, g, b) for r, g, b in box.get_flattened_data() if min(r, g, b) < 160]
        return sum(1 for r, g, b in inked if r > 150 and g < 100) / max(1, len(inked))

    assert red_share(next(w for w in w1 if w[4] == "莆田市城厢区市场监督管理局")) > 0.9
    assert red_share(next(w for w in w1 if w[4] == "城市监〔2026〕1号")) == 0
    page_ops = page_streams(pdf)
    assert page_ops.count(b"2 Tr") == page_ops.count(b"0 Tr") > 0  # every stroked heading puts the mode back


def test_fonts_embedded_and_amounts_in_figures_and_capitals(office, tmp_path):
    from desktop.operations import notices as store

    pdf = store.print_notices(S(), issue("10000000"), tmp_path / "n.pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"TrueType\s+\S+\s+yes\s+yes", f) for f in fonts), fonts
    text = text_of(pdf)
    assert "以上合计人民币壹拾壹万伍仟元整（115,000.00元）。" in text
    assert "以上合计人民币壹仟万元整（10,000,000.00元）。" in text
    assert "2026年11月22日" in text and "城市监〔2026〕2号" in text
    store.void(S(), "城市监〔2026〕2号", "金额有误")  # only the voided notice's lines are issued again
    again = issue("100500.05")
    assert [n.doc_number for n in again] == ["城市监〔2026〕3号"]
    text2 = text_of(store.print_notices(S(), again, tmp_path / "m.pdf"))
    assert "人民币壹拾万零伍佰元零伍分" in text2 and "本通知替代已作废的城市监〔2026〕2号通知。" in text2


def test_flags_only_on_the_archive_copy(office, tmp_path):
    from desktop.operations import notices as store

    notices = issue()
    ent = text_of(store.print_notices(S(), notices, tmp_path / "e.pdf"))
    arc = text_of(store.print_notices(S(), notices, tmp_path / "a.pdf", copy="archive"))
    assert "存档联" in arc and "按此理解计算" in arc and "地方标准修订第2位" in arc
    assert "存档联" not in ent and "按此理解计算" not in ent and "第2位30,000" not in ent


def test_serials_continue_across_runs_and_failed_prints_keep_their_numbers(office, tmp_path):
    from desktop.operations import notices as store
    from desktop.store.models import Notice, NoticeSerial

    first = issue()
    store.print_notices(S(), first, tmp_path / "a.pdf")
    assert [n.doc_number for n in first] == ["城市监〔2026〕1号", "城市监〔2026〕2号"]
    for n in first:
        store.void(S(), n, "金额有误")
    second = issue()  # the voided lines are issuable again, under new numbers
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError):
        store.print_notices(S(), second, blocker / "cannot" / "b.pdf")
    assert [n.status for n in Notice.select().order_by(Notice.serial)] == ["void", "void", "failed", "failed"]
    # a failed notice is printed later from what was stored, and becomes issued
    again = store.print_notices(S(), [store.find(S(), "城市监[2026]3号")], tmp_path / "r.pdf")
    assert again.exists() and store.find(S(), "城市监〔2026〕3号").status == "issued"
    for n in second:
        store.void(S(), store.find(S(), n.doc_number), "再次核定")
    third = issue()
    assert [n.serial for n in third] == [5, 6]
    assert NoticeSerial.get(prefix="城市监", year=2026).last == 6


def test_reprint_is_byte_identical(office, tmp_path):
    from desktop.operations import notices as store

    n = issue()[0]
    a = store.print_notices(S(), [n], tmp_path / "a.pdf").read_bytes()
    b = store.print_notices(S(), [store.find(S(), n.doc_number)], tmp_path / "b.pdf").read_bytes()
    assert a == b


def test_missing_glyph_is_an_error_naming_character_and_record_and_costs_no_serial(office):
    from desktop.store.models import NoticeSerial

    names = dict(NAMES)
    names[OTHER_USCC] = "莆田市\U0002A6A5\U000E0100科技有限公司"
    with pytest.raises(ValidationFailed) as exc:
        issue(names=names)
    msgs = [str(p) for p in exc.value.problems]
    assert any(OTHER_USCC in m and "U+2A6A5" in m for m in msgs), msgs
    assert NoticeSerial.select().count() == 0


def test_missing_office_profile_is_a_clear_error(db):
    with pytest.raises(StdAwardError, match="office profile is not set up"):
        issue()


def test_verify_notice_code_qr_and_tampering(office, tmp_path):
    from desktop.notices import verify as V
    from desktop.operations import notices as store
    from desktop.store.models import Notice

    n = issue()[0]
    code = V.verification_code(n.uuid, n.content_hash)
    info = store.verify(S(), code.lower().replace("-", " "))
    assert info["doc_number"] == "城市监〔2026〕1号" and info["total"] == "115000.00"
    assert store.verify(S(), V.qr_payload(n.uuid, n.content_hash))["uuid"] == n.uuid
    with pytest.raises(StdAwardError, match="no notice has"):
        store.verify(S(), "ABCD-EFGH-JKMN")
    content = dict(n.content)
    content["total"] = "915000.00"
    Notice.update(content=content).where(Notice.id == n.id).execute()
    with pytest.raises(StdAwardError, match="altered"):
        store.verify(S(), code)


def test_qr_payload_roundtrip():
    from desktop.notices import verify as V

    uid, h = "12345678-9abc-def0-1234-56789abcdef0", "f" * 64
    assert V.parse_payload(V.qr_payload(uid, h)) == ("12345678-9abc-d", "f" * 16)
    modules = V.qr_matrix(V.qr_payload(uid, h))
    assert len(modules) == 25 and all(modules[r][c] for r, c in ((0, 0), (6, 6), (0, 6), (24, 0)))
    assert not modules[1][1]


def test_verification_codes_stay_what_was_printed():
    """Codes already on paper must verify forever: known answers (first 60 bits of SHA-256, base32)."""
    from desktop.notices import verify as V

    assert V.verification_code("12345678-9abc-def0-1234-56789abcdef0", "ab" * 32) == "N9WS-4A56-KJ9G"
    assert V.verification_code("00000000-0000-0000-0000-000000000001", "0" * 64) == "FC56-XE7C-0KXY"


def page_streams(pdf: Path) -> bytes:
    """The decompressed content of the PDF's streams that draw text (its pages)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf.read_bytes(), re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return b" ".join(s for s in streams if b" Tf " in s)


def test_printed_qr_code_is_the_notices_symbol(office, tmp_path):
    """The image mask drawn on the last page holds the symbol of the notice's signed statement (what
    anyone holding the office card verifies offline), row by row."""
    from desktop.notices import verify as V
    from desktop.operations import notices as store
    from desktop.operations import statements

    n = issue()[0]
    ops = page_streams(store.print_notices(S(), [n], tmp_path / "n.pdf"))
    found = re.findall(rb"BI /IM true /W (\d+) /H (\d+) /BPC 1 /D \[1 0\] /F /AHx ID ([0-9A-F]+)> EI", ops)
    assert len(found) == 1
    modules = V.qr_matrix(statements.statement_for(n))
    side, data = int(found[0][0]), found[0][2]
    assert side == len(modules) and int(found[0][1]) == side
    per_row = (side + 7) // 8 * 2  # hex digits a row, padded to whole bytes
    rows = [int(data[i:i + per_row], 16) >> (per_row * 4 - side) for i in range(0, per_row * side, per_row)]
    assert rows == [int("".join("1" if m else "0" for m in row), 2) for row in modules]


def test_linear_qr_encoder_matches_reportlab():
    """The batch encoder (reference symbol XOR per-bit differences) gives reportlab's symbol."""
    import random

    from desktop.notices import verify as V

    rng = random.Random(4)
    payloads = [V.qr_payload(f"{rng.getrandbits(128):032x}", f"{rng.getrandbits(256):064x}") for _ in range(150)]
    payloads += [V.qr_payload("0" * 32, "0" * 64), V.qr_payload("f" * 32, "f" * 64)]
    direct = [V.qr_bits(p) for p in payloads]
    V.prepare(1000)
    assert V._linear is not None
    assert [V.qr_bits(p) for p in payloads] == direct


def test_cli_notices_from_input_is_a_draft(tmp_path):
    """A file without a round gives a draft: 样稿 on every page, no 发文字号, nothing recorded."""
    from conftest import run_cli

    db = str(tmp_path / "o.db")
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "福建省莆田市鑫堃茶业有限公司"}],
            "achievements": [std(date="2025-05-01", ref="GB/T 43210-2024", title="运动鞋 缓震性能的测定")]}
    inp = tmp_path / "in.json"
    inp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = run_cli("notices", "--db", db, "--policy", "putian-chengxiang-2021", "--input", str(inp),
                "--out", str(tmp_path / "n.pdf"))
    assert r.returncode == 1 and "office" in r.stderr
    run_cli("office", "--db", db, "--name", "莆田市城厢区市场监督管理局", "--region", "350302", "--doc-prefix", "城市监")
    for _ in range(2):
        r = run_cli("notices", "--db", db, "--policy", "putian-chengxiang-2021", "--input", str(inp),
                    "--out", str(tmp_path / "n.pdf"), "--date", "2026-11-22")
        assert r.returncode == 0, r.stderr
        assert "城市监〔" not in r.stdout and "n.pdf" in r.stdout
    pdf = tmp_path / "n.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                               text=True).stdout).group(1))
    for page in range(1, pages + 1):
        assert "样稿" in text_of_page(pdf, page)
    text = text_of(pdf)
    assert "城市监〔" not in text and "核验码" not in text and "福建省莆田市鑫堃茶业有限公司：" in text
    assert json.loads(run_cli("notice-list", "--db", db, "--json").stdout) == []
    assert not (tmp_path / "n-存档联.pdf").exists()


def text_of_page(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s", "", out)
