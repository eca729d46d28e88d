"""Records through the operations layer, without Qt or the CLI: the role every change needs, the
cancel of a 30,000-row load that leaves nothing behind, the total granted to an enterprise (approved
rounds only), the exact-duplicate warning, evidence kept, opened and removed, and an enterprise
deleted and put back."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.progress import Cancelled, ProgressState
from desktop.operations import records
from desktop.operations.session import Actor, PermissionDenied, Session
from tests.conftest import GOOD_USCC, OTHER_USCC, std

BIG = 30_000


def big_batch(n: int = BIG) -> dict:
    """``n`` valid standards of two enterprises, each its own standard number."""
    return {"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市甲鞋业有限公司"},
                            {"uscc": OTHER_USCC, "name": "莆田市乙食品有限公司"}],
            "achievements": [std(id=f"S{i:05d}", enterprise=(GOOD_USCC, OTHER_USCC)[i % 2],
                                 ref=f"GB/T {10000 + i}-2024", date="2024-03-01") for i in range(n)]}


def big_workbook(path: Path, n: int = BIG) -> Path:
    """The import template's two sheets with ``n`` achievement rows (written in write-only mode)."""
    from openpyxl import Workbook

    from desktop.exchange.xlsx import ACHIEVEMENT_COLUMNS

    wb = Workbook(write_only=True)
    ents = wb.create_sheet("企业")
    ents.append(["uscc", "name"])
    ents.append([GOOD_USCC, "莆田市甲鞋业有限公司"])
    ents.append([OTHER_USCC, "莆田市乙食品有限公司"])
    achs = wb.create_sheet("成果")
    achs.append(list(ACHIEVEMENT_COLUMNS[:9]))
    for i in range(n):
        achs.append([f"S{i:05d}", (GOOD_USCC, OTHER_USCC)[i % 2], "standard", "2024-03-01", f"GB/T {10000 + i}-2024",
                     None, "national", "formulate", 1])
    wb.save(path)
    return path


def cancel_after(n: int) -> tuple[ProgressState, list[int]]:
    """A progress that asks to stop at its ``n``-th update (from inside the work, as a Cancel click would)."""
    seen: list[int] = []

    def on_update(done: int, total: int, text: str) -> None:
        seen.append(done)
        if len(seen) == n:
            state.cancel()
    state = ProgressState(on_update)
    return state, seen


@pytest.fixture
def s(tmp_path):
    """A session on a new database without accounts: its one user acts as administrator."""
    session = Session.open(tmp_path / "office.db")
    yield session
    session.close()


def counts() -> tuple[int, int, int]:
    from desktop.store.models import Achievement, AuditEntry, Enterprise

    return Enterprise.select().count(), Achievement.select().count(), AuditEntry.select().count()


# ---------------------------------------------------------------------------- cancel
def test_a_30000_row_load_cancelled_midway_leaves_nothing(s):
    before = counts()
    progress, seen = cancel_after(4)
    with pytest.raises(Cancelled):
        records.load(s.with_progress(progress), big_batch())
    assert 0 < seen[-1] < BIG  # stopped with rows already written in the transaction, long before the end
    assert counts() == before == (0, 0, 0)
    result = records.load(s, big_batch(300))  # the next load is not hindered by the cancelled one
    assert result.achievements_added == 300 and counts()[:2] == (2, 300)


def test_a_cancelled_workbook_import_leaves_nothing(s, tmp_path):
    path = big_workbook(tmp_path / "big.xlsx", 3000)
    progress, seen = cancel_after(3)
    with pytest.raises(Cancelled):
        records.load_workbook(s.with_progress(progress), path)
    assert counts() == (0, 0, 0) and len(seen) == 3


def test_a_workbook_problem_names_the_sheet_row_and_the_id(s, tmp_path):
    path = big_workbook(tmp_path / "bad.xlsx", 5)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["成果"]["I4"] = 0  # the third achievement's rank
    wb.save(path)
    with pytest.raises(ValidationFailed) as exc:
        records.load_workbook(s, path)
    assert [(p.record, p.field) for p in exc.value.problems if p.severity == "error"] == [("工作表“成果”第4行（S00002）", "I列“排名”")]
    assert counts() == (0, 0, 0)


# ---------------------------------------------------------------------------- roles
def _reviewer(s: Session) -> Session:
    return Session(s.db_path, Actor("rev1", "王审核", "reviewer"))


def _signed_out(s: Session) -> Session:
    return Session(s.db_path, Actor("nobody", "nobody", None))


CHANGES = {
    "load": lambda s, f: records.load(s, big_batch(2)),
    "load_workbook": lambda s, f: records.load_workbook(s, f["book"]),
    "install_demo": lambda s, f: records.install_demo(s),
    "save_enterprise": lambda s, f: records.save_enterprise(s, {"uscc": OTHER_USCC, "name": "乙"}),
    "edit_enterprise": lambda s, f: records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "改名"}, f["ent"]),
    "merge_enterprises": lambda s, f: records.merge_enterprises(s, f["ent"], f["ent2"]),
    "delete_enterprise": lambda s, f: records.delete_enterprise(s, f["ent2"]),
    "restore_enterprise": lambda s, f: records.restore_enterprise(s, records.DeletedEnterprise({}, "x")),
    "save_achievement": lambda s, f: records.save_achievement(s, std(id="new", ref="GB/T 2-2024")),
    "delete_achievements": lambda s, f: records.delete_achievements(s, [f["ach"]]),
    "restore_achievements": lambda s, f: records.restore_achievements(s, object()),
    "attach_evidence": lambda s, f: records.attach_evidence(s, f["ach"], f["file"]),
    "remove_evidence": lambda s, f: records.remove_evidence(s, f["ev"]),
}


@pytest.mark.parametrize("who", [_reviewer, _signed_out], ids=["reviewer", "signed-out"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_of_records_needs_a_clerk_or_an_administrator(s, tmp_path, change, who):
    records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    ent2 = records.save_enterprise(s, {"uscc": OTHER_USCC, "name": "乙"})["id"]
    saved = records.save_achievement(s, std(id="s1"))
    file = tmp_path / "证书.pdf"
    file.write_bytes(b"%PDF-1.4 certificate")
    ev = records.attach_evidence(s, saved.id, file)
    fixtures = {"ent": _ent_id(GOOD_USCC), "ent2": ent2,
                "ach": saved.id, "ev": ev.id, "file": file, "book": big_workbook(tmp_path / "b.xlsx", 2)}
    before = counts()
    with pytest.raises(PermissionDenied) as exc:
        CHANGES[change](who(s), fixtures)
    assert "clerk" in str(exc.value) and "administrator" in str(exc.value)
    assert counts() == before


def _ent_id(uscc: str) -> int:
    return next(r["id"] for r in records.enterprise_rows() if r["uscc"] == uscc)


def test_a_clerk_may_change_records(s):
    clerk = Session(s.db_path, Actor("clerk1", "李录入", "clerk"))
    records.save_enterprise(clerk, {"uscc": GOOD_USCC, "name": "甲"})
    assert records.save_achievement(clerk, std(id="s1")).source_id == "s1"


# ---------------------------------------------------------------------------- 累计奖补金额
def test_total_awarded_counts_only_approved_rounds(s):
    from desktop.store import rounds
    from desktop.store.models import AwardRound

    records.load(s, {"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}, {"uscc": OTHER_USCC, "name": "乙"}],
                     "achievements": [std(id="a14", date="2014-05-05", ref="GB/T 20001-2014"),
                                      std(id="b14", enterprise=OTHER_USCC, date="2014-06-05", ref="GB/T 20002-2014"),
                                      std(id="a15", date="2015-05-05", ref="GB/T 20003-2015"),
                                      std(id="b16", enterprise=OTHER_USCC, date="2016-05-05", ref="GB/T 20004-2016")]})
    r14 = rounds.create_round(2014, "quanzhou-2012", "clerk1")
    rounds.submit(r14, "clerk1")
    rounds.approve(r14, "rev1", "reviewer")
    rounds.create_round(2015, "quanzhou-2012", "clerk1")  # stays a draft
    r16 = rounds.create_round(2016, "quanzhou-2012", "clerk1")
    rounds.submit(r16, "clerk1")
    rounds.return_round(AwardRound.get_by_id(r16.id), "rev1", "reviewer", "重新核对")
    proposed = {a.achievement.source_id: a.amount for r in AwardRound.select() for a in r.awards}
    assert all(v and v > 0 for v in proposed.values()), proposed  # every round proposes money...
    totals = {r["uscc"]: r["total"] for r in records.enterprise_rows()}
    assert totals == {GOOD_USCC: proposed["a14"], OTHER_USCC: proposed["b14"]}  # ...only 2014's was approved
    assert isinstance(totals[GOOD_USCC], Decimal)


# ---------------------------------------------------------------------------- duplicates
def test_an_exact_duplicate_achievement_is_warned_about_and_may_still_be_saved(s):
    records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    records.save_achievement(s, std(id="s1"))
    again = std(id="s2")  # same enterprise, kind, standard number, action and date under another id
    warnings = [p for p in records.achievement_problems(s, again) if p.severity == "warning"]
    assert [p.field for p in warnings] == ["ref"] and "s1" in warnings[0].message
    saved = records.save_achievement(s, again)
    assert saved.source_id == "s2" and "s1" in saved.warnings[0].message
    other_day = std(id="s3", date="2024-06-01")
    assert not [p for p in records.achievement_problems(s, other_day) if p.severity == "warning"]
    editing_itself = records.achievement_problems(s, std(id="s1", title="改名"), _ach_id("s1"))
    assert [p.message for p in editing_itself if "s1" in p.message] == []  # its own record is not a duplicate
    assert "s2" in " ".join(p.message for p in editing_itself)


def _ach_id(source_id: str) -> int:
    from desktop.store.models import Achievement

    return Achievement.get(Achievement.source_id == source_id).get_id()


# ---------------------------------------------------------------------------- evidence
def test_evidence_is_kept_once_opened_from_the_folder_and_removed(s, tmp_path):
    from desktop.store.models import AuditEntry

    records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    cert = tmp_path / "证书 扫描件.PDF"
    cert.write_bytes(b"%PDF-1.4 certificate")
    saved = records.save_achievement(s, std(id="s1"), evidence=[cert])
    ev = saved.evidence[0]
    kept = records.evidence_file(s, ev.id)
    assert kept.parent == s.folder("evidence") and kept.read_bytes() == cert.read_bytes() and kept.suffix == ".pdf"
    assert [e.filename for e in records.achievement(s, saved.id).evidence] == ["证书 扫描件.PDF"]
    second = records.save_achievement(s, std(id="s2", ref="GB/T 2-2024"), evidence=[cert])
    assert records.evidence_file(s, second.evidence[0].id) == kept  # the same content is stored once
    records.remove_evidence(s, ev.id)
    assert records.achievement(s, saved.id).evidence == []
    assert AuditEntry.select().where(AuditEntry.action == "detach").count() == 1
    kept.unlink()
    with pytest.raises(StdAwardError, match="missing from the evidence folder"):
        records.evidence_file(s, second.evidence[0].id)


def test_a_missing_evidence_file_refuses_the_save_before_anything_is_written(s, tmp_path):
    records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    before = counts()
    with pytest.raises(StdAwardError, match="no such file"):
        records.save_achievement(s, std(id="s1"), evidence=[tmp_path / "gone.pdf"])
    assert counts() == before
    saved = records.save_achievement(s, std(id="s1"))
    with pytest.raises(StdAwardError, match="cannot be read"):
        records.attach_evidence(s, saved.id, tmp_path / "gone.pdf")


# ---------------------------------------------------------------------------- enterprises
def test_an_enterprise_is_deleted_with_an_audit_entry_and_put_back(s):
    from desktop.store.models import AuditEntry

    ent = records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    deleted = records.delete_enterprise(s, ent["id"])
    assert records.enterprise_rows() == []
    assert AuditEntry.select().where(AuditEntry.action == "delete", AuditEntry.entity == "enterprise").count() == 1
    records.restore_enterprise(s, deleted)
    assert [(r["uuid"], r["name"]) for r in records.enterprise_rows()] == [(ent["uuid"], "甲")]


def test_an_enterprise_with_achievements_is_not_deleted(s):
    ent = records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    records.save_achievement(s, std(id="s1"))
    with pytest.raises(StdAwardError, match="1 achievements"):
        records.delete_enterprise(s, ent["id"])
    assert len(records.enterprise_rows()) == 1


def test_a_deleted_enterprise_is_not_put_back_over_a_new_registration(s):
    ent = records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    deleted = records.delete_enterprise(s, ent["id"])
    records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲（新）"})
    with pytest.raises(StdAwardError, match="registered again"):
        records.restore_enterprise(s, deleted)
    assert [r["name"] for r in records.enterprise_rows()] == ["甲（新）"]


def test_editing_a_record_deleted_meanwhile_is_a_clear_refusal(s):
    ent = records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    records.delete_enterprise(s, ent["id"])
    with pytest.raises(StdAwardError, match="no longer exists"):
        records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "乙"}, ent["id"])
