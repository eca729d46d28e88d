"""Notices through the operations layer (no Qt, no CLI parsing): issued once, void is final,
roles, drafts, and notices left pending by a crash while printing."""
from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from conftest import GOOD_USCC as A
from test_notice_rounds import DAY, prepared_round, signed_in

from desktop.core.errors import StdAwardError
from desktop.operations import notices as ops
from desktop.operations.session import Actor, PermissionDenied, Session
from desktop.store.models import AuditEntry, Notice, NoticeSerial


@pytest.fixture
def office(db):
    """The Quanzhou office with an administrator (clerk1) and a reviewer (boss), as in test_notice_rounds."""
    from test_notice_rounds import office as setup

    return setup.__wrapped__(db)


def as_role(path, role: str, name: str = "someone") -> Session:
    s = Session.attach(path, clock=lambda: DAY)
    s.actor = Actor(name, name, role)
    return s


def pages_text(pdf) -> list[str]:
    """Each page's text, whitespace removed."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s", "", p) for p in out.split("\f") if p.strip()]


def test_issuing_the_same_round_twice_allocates_nothing_and_names_the_numbers(office):
    rnd = prepared_round()
    s = signed_in(office)
    first = ops.issue_round(s, rnd.uuid)
    assert [n.doc_number for n in first] == ["泉市监〔2015〕1号"]
    audit_before = AuditEntry.select().count()
    with pytest.raises(ops.AlreadyIssued) as exc:
        ops.issue_round(s, rnd.uuid, dt.date(2015, 12, 30))
    assert exc.value.numbers == ["泉市监〔2015〕1号"] and "泉市监〔2015〕1号" in str(exc.value)
    assert Notice.select().count() == 1 and NoticeSerial.get(prefix="泉市监", year=2015).last == 1
    assert AuditEntry.select().count() == audit_before  # nothing written, not even an audit entry
    # printed (issued) or failed, the lines stay covered: still nothing new
    ops.print_notices(s, first, office.parent / "n.pdf")
    with pytest.raises(ops.AlreadyIssued):
        ops.issue_round(s, rnd.uuid)
    assert not ops.issuable(s, rnd.uuid)


def test_a_draft_from_results_records_nothing(office, tmp_path):
    from desktop.operations import round_work

    rnd = prepared_round()
    s = signed_in(office)
    results, achs = ops.round_lines(rnd)
    names = {A: "福建省泉州市鑫堃茶业有限公司"}
    for _ in range(2):
        pdf = ops.draft(s, [r for r in results if r.enterprise == A], achs, names,
                        round_work.load_policy(rnd.policy_id), DAY, 2014, tmp_path / "d.pdf")
    pages = pages_text(pdf)
    assert pages and all("样稿" in p for p in pages)
    assert all("泉市监〔" not in p and "核验码" not in p for p in pages)
    assert Notice.select().count() == 0 and NoticeSerial.select().count() == 0


def test_void_is_final_reprint_says_void_and_verify_says_when_and_why(office, tmp_path):
    from desktop.notices import verify as V

    rnd = prepared_round()
    s = signed_in(office)
    n = ops.issue_round(s, rnd.uuid)[0]
    ops.print_notices(s, [n], tmp_path / "n.pdf")
    assert not any("作废" in p for p in pages_text(tmp_path / "n.pdf"))
    ops.void(s, n.doc_number, "金额有误")
    again = ops.reprint(s, n.doc_number, tmp_path / "r.pdf")
    pages = pages_text(again)
    assert len(pages) >= 2 and all("作废" in p for p in pages)  # every page, not only the first
    assert all("作废" in p for p in pages_text(ops.reprint(s, n.doc_number, tmp_path / "a.pdf", copy="archive")))
    assert ops.find(s, n.doc_number).status == "void"  # printing did not make it issued again
    with pytest.raises(ops.NoticeVoid, match=r"已作废.*2015-12-18.*金额有误") as exc:
        ops.verify(s, V.verification_code(n.uuid, n.content_hash))
    assert (exc.value.on, exc.value.reason) == ("2015-12-18", "金额有误")
    with pytest.raises(StdAwardError, match="already void"):
        ops.void(s, n.doc_number, "again")
    # the awards are issuable again; the replacement says which number it replaces
    assert ops.issuable(s, rnd.uuid)
    new = ops.issue_round(s, rnd.uuid)
    assert [x.doc_number for x in new] == ["泉市监〔2015〕2号"] and new[0].content["replaces"] == [n.doc_number]
    text = "".join(pages_text(ops.print_notices(s, new, tmp_path / "new.pdf")))
    assert "本通知替代已作废的泉市监〔2015〕1号通知。" in text
    row = next(r for r in ops.listing(s) if r["doc_number"] == "泉市监〔2015〕2号")
    assert row["replaces"] == ["泉市监〔2015〕1号"] and row["status"] == "issued"


def test_a_clerk_cannot_issue_or_void_and_a_reason_is_required(office):
    rnd = prepared_round()
    clerk = as_role(office, "clerk", "clerk9")
    with pytest.raises(PermissionDenied):
        ops.issue_round(clerk, rnd.uuid)
    assert Notice.select().count() == 0 and NoticeSerial.select().count() == 0
    n = ops.issue_round(signed_in(office), rnd.uuid)[0]
    with pytest.raises(PermissionDenied):
        ops.void(clerk, n.doc_number, "我想作废")
    nobody = Session.attach(office)  # accounts exist, nobody signed in
    with pytest.raises(PermissionDenied, match="sign in"):
        ops.void(nobody, n.doc_number, "x")
    with pytest.raises(StdAwardError, match="reason"):
        ops.void(as_role(office, "reviewer"), n.doc_number, "   ")
    assert ops.find(clerk, n.doc_number).status == "pending"


def test_notices_left_pending_by_a_crash_are_listed_and_reprinted_in_one_batch(office, tmp_path):
    rnd = prepared_round()
    s = signed_in(office)
    issued = ops.issue_round(s, rnd.uuid)  # ... and the program dies before printing
    assert ops.needs_print(s) == 1
    assert [r["needs_print"] for r in ops.listing(s)] == [True]
    assert [n.doc_number for n in ops.pending(s)] == [issued[0].doc_number]
    done = ops.reprint_pending(s, tmp_path / "p.pdf", archive=tmp_path / "p-archive.pdf")
    assert [n.doc_number for n in done] == ["泉市监〔2015〕1号"] and (tmp_path / "p.pdf").exists()
    assert "存档联" in "".join(pages_text(tmp_path / "p-archive.pdf"))
    assert ops.needs_print(s) == 0
    rows = ops.listing(s)
    assert rows[0]["status"] == "issued" and rows[0]["archive_printed"] is True
    with pytest.raises(StdAwardError, match="no notice is waiting"):
        ops.reprint_pending(s, tmp_path / "q.pdf")
    assert not (tmp_path / "q.pdf").exists()


def test_a_cancelled_print_leaves_the_notices_needing_a_reprint(office, tmp_path):
    from desktop.core.progress import Cancelled, ProgressState

    rnd = prepared_round()
    s = signed_in(office)
    issued = ops.issue_round(s, rnd.uuid)
    progress = ProgressState()
    progress.cancel()
    with pytest.raises(Cancelled):
        ops.print_notices(s.with_progress(progress), issued, tmp_path / "c.pdf")
    assert not (tmp_path / "c.pdf").exists()
    assert ops.find(s, issued[0].doc_number).status == "failed" and ops.needs_print(s) == 1
    assert ops.listing(s)[0]["archive_printed"] is False


def test_issue_and_print_writes_both_copies_into_the_office_folder(office):
    rnd = prepared_round()
    s = signed_in(office)
    result = ops.issue_and_print(s, rnd.uuid, DAY)
    assert result["numbers"] == ["泉市监〔2015〕1号"] and result["path"].exists() and result["archive"].exists()
    assert result["path"].parent == s.folder("notices") / "2014"
    rows = ops.rows(s, rnd.uuid)
    assert [(r["status"], r["archive_printed"]) for r in rows] == [("issued", True)]


def test_previews_are_cached_in_the_officers_own_folder_and_old_ones_go(office, tmp_path, monkeypatch):
    """A shared temporary folder may belong to another account (unwritable) or hold a file planted
    under the name a preview looks for; the officer's data folder holds neither."""
    import os
    import time

    from desktop.operations.quick import data_dir

    rnd = prepared_round()
    s = signed_in(office)
    issued = ops.issue_round(s, rnd.uuid)
    stale = data_dir() / "previews" / "0123456789abcdef01234567.pdf"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"%PDF-1.4 old")
    os.utime(stale, (time.time() - 30 * 86400,) * 2)
    path = ops.preview(s, [n.id for n in issued], "enterprise")
    assert path.parent == data_dir() / "previews" and path.read_bytes().startswith(b"%PDF")
    assert "泉市监〔2015〕1号" in "".join(pages_text(path))
    assert not stale.exists()
    assert ops.preview(s, [n.id for n in issued], "enterprise") == path  # the same content: the cached file


def test_the_archive_copy_carries_the_approval_and_the_audit_logs_head_the_enterprise_copy_does_not(office, tmp_path):
    """An auditor holding the 存档联 can later check that the log still reaches this far and ends in
    this value, and who approved which list; the notice's own content (and so its hash) is unchanged."""
    from desktop.store import audit
    from desktop.store.models import AwardRound

    rnd = prepared_round()
    s = signed_in(office)
    issued = ops.issue_round(s, rnd.uuid)
    hash_before = issued[0].content_hash
    head = audit.current_head()
    archive = ops.print_notices(s, issued, tmp_path / "archive.pdf", copy="archive")
    text = "".join(pages_text(archive))
    stored = AwardRound.get_by_id(rnd.id)
    day = stored.approved_at
    digest = stored.approved_digest.upper()
    assert f"由王办事编制，经李科长于{day.year}年{day.month}月{day.day}日审核批准，批准时名单校验值{digest[:16]}" in text
    assert f"打印时审计日志共{head['count']}条，末条校验值{head['hash'][:16].upper()}" in text
    fp = head["fingerprint"].replace(" ", "")
    assert fp in text
    enterprise = ops.print_notices(s, issued, tmp_path / "notice.pdf")
    plain = "".join(pages_text(enterprise))
    assert "审计日志" not in plain and "校验值" not in plain
    assert Notice.get_by_id(issued[0].id).content_hash == hash_before
