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
    from desktop.operations import round_work
    from desktop.store import rounds
    from desktop.store.models import AwardRound

    records.load(s, {"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}, {"uscc": OTHER_USCC, "name": "乙"}],
                     "achievements": [std(id="a14", date="2014-05-05", ref="GB/T 20001-2014"),
                                      std(id="b14", enterprise=OTHER_USCC, date="2014-06-05", ref="GB/T 20002-2014"),
                                      std(id="a15", date="2015-05-05", ref="GB/T 20003-2015"),
                                      std(id="b16", enterprise=OTHER_USCC, date="2016-05-05", ref="GB/T 20004-2016")]})
    r14 = round_work.create_round(2014, "quanzhou-2012", "clerk1")
    rounds.submit(r14, "clerk1")
    round_work.approve(r14, "rev1")
    round_work.create_round(2015, "quanzhou-2012", "clerk1")  # stays a draft
    r16 = round_work.create_round(2016, "quanzhou-2012", "clerk1")
    rounds.submit(r16, "clerk1")
    round_work.return_round(AwardRound.get_by_id(r16.id), "rev1", "重新核对")
    proposed = {a.achievement.source_id: a.amount for r in AwardRound.select() for a in r.awards}
    assert all(v and v > 0 for v in proposed.values()), proposed  # every round proposes money...
    totals = {r["uscc"]: r["total"] for r in records.enterprise_rows()}
    assert totals == {GOOD_USCC: proposed["a14"], OTHER_USCC: proposed["b14"]}  # ...only 2014's was approved
    assert isinstance(totals[GOOD_USCC], Decimal)
    records.save_enterprise(s, {"uscc": "91350302MA2XU5JX4Q", "name": "丙"})  # nothing claimed, nothing granted
    assert {r["name"]: r["total"] for r in records.enterprise_rows()}["丙"] == Decimal("0.00")


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


def test_a_deleted_enterprise_comes_back_when_another_took_its_row_id_meanwhile(s):
    """The last enterprise registered deleted, another registered (SQLite gives it the freed row id),
    then 撤销: the deleted one comes back under a new id instead of 'UNIQUE constraint failed'."""
    first = records.save_enterprise(s, {"uscc": GOOD_USCC, "name": "甲"})
    deleted = records.delete_enterprise(s, first["id"])
    other = records.save_enterprise(s, {"uscc": OTHER_USCC, "name": "乙"})
    assert other["id"] == first["id"]
    records.restore_enterprise(s, deleted)
    assert sorted(r["name"] for r in records.enterprise_rows()) == ["乙", "甲"]


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


# ---------------------------------------------------------------------------- the bulk load path
def mixed_batch(n: int) -> dict:
    """``n`` standards with titles, notes, units and named evidence, and a research result with ``accepted``."""
    batch = big_batch(n)
    for i, a in enumerate(batch["achievements"]):
        a.update(title=f"鞋类标准第{i}号", note="第一行\n第二行" if i % 3 else None, evidence=[f"证书{i}.pdf"],
                 units=["莆田市甲鞋业有限公司", "某研究院"] if i % 2 else None)
        batch["achievements"][i] = {k: v for k, v in a.items() if v is not None}
    return batch


def test_a_bulk_load_stores_every_field_as_a_record_typed_in_would(s):
    from desktop.core.vocabulary import parse_batch
    from desktop.store import records as store
    from desktop.store.models import Evidence

    batch = mixed_batch(store.ITEMISED_UP_TO + 150)
    result = records.load(s, batch)
    assert (result.enterprises_added, result.achievements_added) == (2, len(batch["achievements"]))
    wanted, problems = parse_batch(batch["achievements"])
    assert not [p for p in problems if p.severity == "error"]
    stored = {a.id: a for a in records.achievements(s)}
    for a in wanted:
        got = stored[a.id]
        assert (got.enterprise, got.kind, got.date, got.ref, got.title, got.note, got.units, got.rank) == \
            (a.enterprise, a.kind, a.date, a.ref, a.title, a.note, a.units, a.rank)
    assert Evidence.select().where(Evidence.filename == "证书7.pdf").count() == 1
    assert records.enterprise_names(s) == {GOOD_USCC: "莆田市甲鞋业有限公司", OTHER_USCC: "莆田市乙食品有限公司"}


def test_a_bulk_load_is_one_audit_entry_per_batch_that_still_catches_edits_outside(s, monkeypatch):
    import sqlite3

    from desktop.store import audit
    from desktop.store import records as store
    from desktop.store.models import AuditEntry

    monkeypatch.setattr(store, "BATCH", 100)
    records.load(s, big_batch(250))
    entries = list(AuditEntry.select().where(AuditEntry.action == "load").order_by(AuditEntry.id))
    assert [(e.entity, e.after["counts"]) for e in entries] == [
        ("enterprise", 2), ("achievement", 100), ("achievement", 100), ("achievement", 50)]
    assert sum(len(e.state) for e in entries if e.state) == 250
    assert audit.verify_all(s.db_path) == []

    con = sqlite3.connect(s.db_path)
    with con:
        con.execute("UPDATE achievement SET rank = 2 WHERE source_id = 'S00007'")
        con.execute("DELETE FROM achievement WHERE source_id = 'S00123'")
    con.close()
    found = [str(f) for f in audit.verify_all(s.db_path)]
    assert any("S00007" in f and "changed outside the program" in f for f in found), found
    assert any("deleted outside the program" in f for f in found), found
    assert len(found) == 2, found


def test_deleting_and_editing_bulk_loaded_achievements_in_the_program_keeps_the_log_clean(s):
    from desktop.store import audit
    from desktop.store import records as store
    from desktop.store.models import Achievement

    records.load(s, big_batch(store.ITEMISED_UP_TO + 1))
    ids = [a.id for a in Achievement.select(Achievement.id).where(Achievement.source_id.in_(["S00001", "S00002"]))]
    records.delete_achievements(s, ids)
    edit = Achievement.get(Achievement.source_id == "S00003")
    records.save_achievement(s, std(id="S00003", enterprise=OTHER_USCC, ref="GB/T 99999-2024"), editing=edit.id)
    assert audit.verify_all(s.db_path) == []


def test_a_bulk_load_cancelled_after_its_first_batch_leaves_nothing(s, monkeypatch):
    from desktop.store import records as store

    monkeypatch.setattr(store, "BATCH", 100)
    records.load(s, big_batch(10))  # something there before, which must stay as it was
    before = counts()
    progress, seen = cancel_after(2)  # the start, then after the first batch of achievements
    with pytest.raises(Cancelled):
        records.load(s.with_progress(progress), {"achievements": big_batch(500)["achievements"][10:]})
    assert seen[-1] == 100 and counts() == before


def test_a_bulk_load_over_ids_already_in_the_database_names_them_and_writes_nothing(s):
    records.load(s, big_batch(300))
    before = counts()
    again = big_batch(400)
    again["enterprises"][0]["name"] = "改名公司"
    with pytest.raises(ValidationFailed) as exc:
        records.load(s, again)
    named = {p.record for p in exc.value.problems}
    assert named == {f"S{i:05d}" for i in range(300)}
    assert all(p.field == "id" for p in exc.value.problems)
    assert counts() == before and records.enterprise_names(s)[GOOD_USCC] == "莆田市甲鞋业有限公司"


def test_a_load_reusing_a_uuid_held_by_another_record_names_it_and_writes_nothing(s):
    from desktop.store import records as store

    batch = big_batch(store.ITEMISED_UP_TO + 20)
    records.load(s, batch)
    taken = next(a.uuid for a in records.achievements(s) if a.id == "S00005")
    before = counts()
    again = big_batch(store.ITEMISED_UP_TO + 40)
    again["achievements"] = again["achievements"][store.ITEMISED_UP_TO + 20:]
    again["achievements"][3]["uuid"] = taken  # in the database already
    again["achievements"][4]["uuid"] = again["achievements"][5]["uuid"] = "0f8fad5b-d9cb-469f-a165-70867728950e"
    with pytest.raises(ValidationFailed) as exc:
        records.load(s, again)
    assert [(p.record, p.field) for p in exc.value.problems] == [
        (again["achievements"][3]["id"], "uuid"), (again["achievements"][5]["id"], "uuid")]
    assert counts() == before


def test_undoing_a_deletion_after_a_load_took_the_row_ids_puts_the_achievements_back(s, tmp_path):
    """The last records entered deleted, others loaded (SQLite gives them the freed row ids), then
    撤销: the deleted ones come back under new row ids, with their evidence, instead of the undo
    failing with the database's "UNIQUE constraint failed"."""
    from desktop.store.models import Achievement, Evidence

    records.load(s, {"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市甲鞋业有限公司"}],
                     "achievements": [std(id="A1", ref="GB/T 10001-2024"), std(id="A2", ref="GB/T 10002-2024")]})
    a2 = Achievement.get(Achievement.source_id == "A2")
    proof = tmp_path / "证书.pdf"
    proof.write_bytes(b"%PDF-1.4 certificate")
    records.attach_evidence(s, a2.id, proof)
    snap = records.delete_achievements(s, [a2.id])
    records.load(s, {"enterprises": [], "achievements": [std(id="A3", ref="GB/T 10003-2024")]})
    assert Achievement.get(Achievement.source_id == "A3").id == a2.id  # the freed id taken
    records.restore_achievements(s, snap)
    back = Achievement.get(Achievement.source_id == "A2")
    assert back.uuid == a2.uuid and back.id != a2.id and back.ref == "GB/T 10002-2024"
    assert [e.filename for e in Evidence.select().where(Evidence.achievement == back)] == ["证书.pdf"]
    assert sorted(a.source_id for a in Achievement.select()) == ["A1", "A2", "A3"]


def test_an_achievement_back_already_since_its_deletion_is_not_put_back_twice(s):
    """The record itself back (a county's package brought it again): undoing the deletion is refused
    naming it, nothing restored. The same claim entered under another id is a record of its own (the
    round marks one of the two a duplicate): that does not stop the undo."""
    from desktop.store.models import Achievement

    records.load(s, {"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市甲鞋业有限公司"}],
                     "achievements": [std(id="A1", ref="GB/T 10001-2024"), std(id="A2", ref="GB/T 10002-2024"),
                                      std(id="A4", ref="GB/T 10004-2024")]})
    snap = records.delete_achievements(s, [Achievement.get(Achievement.source_id == "A2").id])
    Achievement.create(**{k: v for k, v in snap.rows[0].items() if k != "id"})  # the record brought back
    with pytest.raises(ValidationFailed) as refused:
        records.restore_achievements(s, snap)
    assert refused.value.problems[0].record == "A2" and "entered again" in refused.value.problems[0].message
    assert sorted(a.source_id for a in Achievement.select()) == ["A1", "A2", "A4"]  # nothing restored twice
    snap = records.delete_achievements(s, [Achievement.get(Achievement.source_id == "A4").id])
    records.load(s, {"enterprises": [], "achievements": [std(id="B7", ref="GB/T 10004-2024")]})  # the same claim
    records.restore_achievements(s, snap)
    assert sorted(a.source_id for a in Achievement.select()) == ["A1", "A2", "A4", "B7"]
