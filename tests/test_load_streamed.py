"""``load`` of an officer's file read a record at a time: the same database as the whole document
loaded from memory, all or nothing when the bad record comes after batches were written, and clear
refusals of truncated, hostile and mistyped files (never a traceback or "意外的 …Error")."""
from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from desktop.core.errors import BadFile, StdAwardError, ValidationFailed
from desktop.core.progress import Cancelled, ProgressState
from desktop.operations import records
from desktop.operations.session import Session
from tests.conftest import GOOD_USCC, OTHER_USCC, run_cli, std

THIRD_USCC = "91350302MA2Y0KXR2K"


@pytest.fixture
def s(tmp_path):
    session = Session.open(tmp_path / "office.db")
    yield session
    session.close()


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 50 records, so that a file of a few hundred spans several written batches."""
    from desktop.store import records as store

    monkeypatch.setattr(store, "BATCH", 50)


def seeded(n: int, seed: int = 7) -> dict:
    """``n`` achievements of varied kinds and optional fields (notes with line breaks, units, evidence
    names, a few given uuids), of two enterprises in the file and one already in the database."""
    rnd = random.Random(seed)
    achs = []
    for i in range(n):
        a = std(id=f"R{i:04d}", enterprise=(GOOD_USCC, OTHER_USCC, THIRD_USCC)[i % 3], ref=f"GB/T {20000 + i}-2024",
                date=f"2024-{1 + i % 12:02d}-{1 + rnd.randrange(28):02d}", rank=1 + rnd.randrange(5),
                level=rnd.choice(("national", "industry", "local", "group")),
                action=rnd.choice(("formulate", "revise")))
        if rnd.random() < 0.3:
            a["title"] = f"鞋类“标准”第{i}号 \"引号\" {{括号}} [方括号], 逗号"
        if rnd.random() < 0.2:
            a["note"] = "第一行\n第二行 \\ 反斜杠"
        if rnd.random() < 0.2:
            a["units"] = ["莆田市甲鞋业有限公司", "某研究院"]
        if rnd.random() < 0.2:
            a["evidence"] = [f"证书{i}.pdf"]
        if i % 97 == 5:
            a["uuid"] = f"0f8fad5b-d9cb-469f-a165-{i:012d}"
        achs.append(a)
    return {"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市甲鞋业有限公司", "region": "350302"},
                            {"uscc": OTHER_USCC, "name": "莆田市乙食品有限公司", "contact": "张三"},
                            {"uscc": THIRD_USCC, "name": "莆田市丙公司（改名）"}],
            "achievements": achs}


def prepare(s: Session) -> None:
    """The database before the load: the third enterprise registered under another name."""
    records.save_enterprise(s, {"uscc": THIRD_USCC, "name": "莆田市丙公司"})


def snapshot(db: Path) -> dict:
    """The tables a load writes, without the values that differ from run to run (row ids of their
    own, fresh uuids and clock stamps): achievements by enterprise and id, evidence by name."""
    con = sqlite3.connect(db)
    try:
        ents = con.execute("SELECT uscc, name, region_code, address, contact, phone, version FROM enterprise "
                           "ORDER BY uscc").fetchall()
        cols = [r[1] for r in con.execute("PRAGMA table_info(achievement)")]
        skip = {"id", "enterprise_id", "created_at", "updated_at"}
        keep = [c for c in cols if c not in skip]
        achs = con.execute(f"SELECT e.uscc, {', '.join('a.' + c for c in keep)} FROM achievement a "
                           "JOIN enterprise e ON e.id = a.enterprise_id ORDER BY e.uscc, a.source_id").fetchall()
        given = {r[0] for r in con.execute("SELECT uuid FROM achievement WHERE uuid LIKE '0f8fad5b-%'")}
        achs = [tuple(v if c != "uuid" or v in given else "fresh" for c, v in zip(["uscc", *keep], row))
                for row in achs]
        evidence = con.execute("SELECT a.source_id, ev.filename, ev.sha256, ev.size FROM evidence ev "
                               "JOIN achievement a ON a.id = ev.achievement_id ORDER BY ev.filename").fetchall()
        audit = con.execute("SELECT action, entity, count(*) FROM audit_entry GROUP BY action, entity "
                            "ORDER BY action, entity").fetchall()
    finally:
        con.close()
    return {"enterprises": ents, "achievements": achs, "evidence": evidence, "audit": audit}


def counts(db: Path) -> tuple[int, int, int]:
    con = sqlite3.connect(db)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                     for t in ("enterprise", "achievement", "audit_entry"))
    finally:
        con.close()


def write_json(path: Path, data: object, **kw: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, **kw), "utf-8")  # type: ignore[arg-type]
    return path


# ---------------------------------------------------------------------------- the same database
@pytest.mark.parametrize("indent", [None, 2])
def test_a_streamed_json_load_makes_the_database_the_whole_document_makes(tmp_path, small_batches, monkeypatch,
                                                                         indent):
    from desktop.exchange import jsonstream

    data = seeded(420)
    one, two = Session.open(tmp_path / "one.db"), None
    prepare(one)
    whole = records.load(one, json.loads(json.dumps(data)))
    one.close()
    monkeypatch.setattr(jsonstream, "CHUNK", 7)  # a window boundary inside nearly every value and key
    two = Session.open(tmp_path / "two.db")
    prepare(two)
    streamed = records.load_file(two, write_json(tmp_path / "in.json", data, indent=indent))
    two.close()
    assert (streamed.enterprises_added, streamed.enterprises_updated, streamed.achievements_added) == \
        (whole.enterprises_added, whole.enterprises_updated, whole.achievements_added) == (2, 1, 420)
    assert streamed.warnings == whole.warnings
    first, second = snapshot(tmp_path / "one.db"), snapshot(tmp_path / "two.db")
    assert len(first["achievements"]) == 420 and len(first["evidence"]) > 0
    assert first == second


def test_a_streamed_workbook_load_makes_the_database_the_whole_sheet_makes(tmp_path, small_batches):
    from desktop.exchange.xlsx import read_workbook, strip_rows
    from tests.test_operations_records import big_workbook

    book = big_workbook(tmp_path / "in.xlsx", 260)
    one = Session.open(tmp_path / "one.db")
    data, _where = strip_rows(read_workbook(book))  # the sheets read whole, as the import did before
    records.load(one, data)
    one.close()
    two = Session.open(tmp_path / "two.db")
    result = records.load_workbook(two, book)
    two.close()
    assert result.achievements_added == 260
    assert snapshot(tmp_path / "one.db") == snapshot(tmp_path / "two.db")


def test_the_achievements_may_come_before_the_enterprises_in_the_file(s, tmp_path):
    data = seeded(120)
    text = json.dumps({"format": "stdaward-load", "achievements": data["achievements"],
                       "enterprises": data["enterprises"]}, ensure_ascii=False)
    prepare(s)
    path = tmp_path / "in.json"
    path.write_text(text, "utf-8")
    result = records.load_file(s, path)
    assert (result.enterprises_added, result.achievements_added) == (2, 120)
    assert {a.id for a in records.achievements(s)} == {f"R{i:04d}" for i in range(120)}


def test_a_plain_list_of_achievements_loads_against_enterprises_already_registered(s, tmp_path):
    prepare(s)
    result = records.load_file(s, write_json(tmp_path / "in.json", [std(id="x1", enterprise=THIRD_USCC),
                                                                    std(id="x2", enterprise=THIRD_USCC,
                                                                        ref="GB/T 2-2024")]))
    assert result.achievements_added == 2 and counts(s.db_path)[1] == 2


# ---------------------------------------------------------------------------- late problems
def test_a_bad_record_after_several_written_batches_names_it_and_leaves_nothing(s, tmp_path, small_batches):
    prepare(s)
    before = counts(s.db_path)
    data = seeded(600)
    data["achievements"][555]["rank"] = "第一"
    data["achievements"][590]["enterprise"] = "91350100M000100Y44"  # a code with a wrong check character
    with pytest.raises(ValidationFailed) as exc:
        records.load_file(s, write_json(tmp_path / "in.json", data))
    errors = [(p.record, p.field) for p in exc.value.problems if p.severity == "error"]
    assert errors == [("R0555", "rank"), ("R0590", "enterprise")]
    assert counts(s.db_path) == before
    assert records.enterprise_names(s)[THIRD_USCC] == "莆田市丙公司"  # the update of the file rolled back too


def test_an_id_used_again_late_in_the_file_names_both_records(s, tmp_path, small_batches):
    data = seeded(300)
    data["achievements"][280]["id"] = "R0010"
    prepare(s)
    before = counts(s.db_path)
    with pytest.raises(ValidationFailed) as exc:
        records.load_file(s, write_json(tmp_path / "in.json", data))
    [p] = exc.value.problems
    assert (p.record, p.field) == ("R0010", "id") and "records 11 and 281" in p.message
    assert counts(s.db_path) == before


def test_a_workbook_row_wrong_after_several_batches_names_the_sheet_row_and_leaves_nothing(s, tmp_path,
                                                                                         small_batches):
    from openpyxl import load_workbook

    from tests.test_operations_records import big_workbook

    book = big_workbook(tmp_path / "in.xlsx", 400)
    wb = load_workbook(book)
    wb["成果"]["C380"] = "勋章"  # the kind of the 378th achievement (row 2 holds the first)
    wb.save(book)
    with pytest.raises(ValidationFailed) as exc:
        records.load_workbook(s, book)
    assert [(p.record, p.field) for p in exc.value.problems if p.severity == "error"] == [
        ("工作表“成果”第380行（S00378）", "C列“类别”")]
    assert counts(s.db_path) == (0, 0, 0)


def test_cancelling_a_streamed_load_after_written_batches_leaves_nothing(s, tmp_path, small_batches):
    prepare(s)
    before = counts(s.db_path)
    seen: list[int] = []

    def on_update(done: int, total: int, text: str) -> None:
        seen.append(done)
        if len(seen) == 5:
            state.cancel()
    state = ProgressState(on_update)
    with pytest.raises(Cancelled):
        records.load_file(s.with_progress(state), write_json(tmp_path / "in.json", seeded(600)))
    assert counts(s.db_path) == before and len(seen) == 5
    assert 0 < seen[-1] <= (tmp_path / "in.json").stat().st_size  # bytes of the file read, for the bar


def test_a_file_with_thousands_of_bad_records_lists_the_first_and_counts_the_rest(s, tmp_path, monkeypatch):
    from desktop.store import records as store

    monkeypatch.setattr(store, "MAX_LISTED", 5)
    data = {"enterprises": [], "achievements": [std(id=f"b{i}", rank=0) for i in range(40)]}
    with pytest.raises(ValidationFailed) as exc:
        records.load_file(s, write_json(tmp_path / "in.json", data))
    problems = exc.value.problems
    assert [p.record for p in problems[:5]] == ["b0", "b1", "b2", "b3", "b4"]
    assert len(problems) == 6 and "35 more problems" in problems[-1].message
    assert counts(s.db_path) == (0, 0, 0)


# ---------------------------------------------------------------------------- broken and hostile files
def _refused(s: Session, path: Path) -> StdAwardError:
    before = counts(s.db_path)
    with pytest.raises(StdAwardError) as exc:
        records.load_file(s, path)
    assert counts(s.db_path) == before
    assert "意外" not in str(exc.value) and "Error" not in str(exc.value)
    return exc.value


def test_a_truncated_file_is_refused_with_its_line_after_batches_were_written(s, tmp_path, small_batches):
    text = json.dumps(seeded(300), ensure_ascii=False, indent=1)
    cut = text[:int(len(text) * 0.9)]
    path = tmp_path / "cut.json"
    path.write_text(cut, "utf-8")
    err = _refused(s, path)
    assert isinstance(err, BadFile) and "is not valid JSON" in str(err)
    assert f"line {cut.count(chr(10)) + 1}," in str(err)  # the end of the file, where it breaks off


@pytest.mark.parametrize("text, says", [
    ('{"achievements": [{"id": "a", "kind": "standard"} {"id": "b"}]}', "line 1, column 51"),
    ('{"achievements": [1, 2,]}', "is not valid JSON"),
    ('{"achievements": []} []', "Extra data"),
    ('\n\n  {"achievements": [tru]}', "line 3, column 21"),
    ("", "is not valid JSON"),
])
def test_broken_json_names_where_it_breaks(s, tmp_path, text, says):
    path = tmp_path / "bad.json"
    path.write_text(text, "utf-8")
    assert says in str(_refused(s, path))


def test_a_record_with_a_huge_number_of_keys_is_refused_before_it_is_decoded(s, tmp_path):
    from desktop.exchange import jsonstream

    bomb = {f"k{i}": i for i in range(120_000)}  # ~1.6 MB of keys in one record
    path = write_json(tmp_path / "bomb.json", {"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}],
                                               "achievements": [std(id="ok"), {**std(id="bomb"), **bomb}]})
    err = _refused(s, path)
    assert isinstance(err, BadFile) and 'record 2 of "achievements"' in str(err)
    assert f"larger than {jsonstream.MAX_RECORD >> 20} MB" in str(err)


def test_a_record_nested_too_deeply_is_refused(s, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"achievements": [{"id": "a", "note": ' + "[" * 200_000 + "]" * 200_000 + "}]}", "utf-8")
    assert "nests lists or objects too deeply" in str(_refused(s, path))


@pytest.mark.parametrize("data, record, field", [
    ({"achievements": {"a": std()}}, "-", "-"),  # an object where the list belongs
    ({"achievements": [std()], "extra": 1}, "-", "-"),
    ("achievements", "-", "-"),
    ([1, std(id="ok")], "#1", "-"),
    ([std(rank="one")], "s1", "rank"),
    ([std(date=20240501)], "s1", "date"),
    ({"enterprises": [{"uscc": 91350100, "name": ["甲"]}], "achievements": []}, None, None),
])
def test_wrong_types_are_named_not_crashed_on(s, tmp_path, data, record, field):
    path = write_json(tmp_path / "typed.json", data)
    err = _refused(s, path)
    assert isinstance(err, ValidationFailed)
    if record is not None:
        assert (err.problems[0].record, err.problems[0].field) == (record, field)


def test_a_folder_or_a_missing_file_is_refused_as_unreadable(s, tmp_path):
    (tmp_path / "folder.json").mkdir()
    assert "cannot read" in str(_refused(s, tmp_path / "folder.json"))
    assert "no such file" in str(_refused(s, tmp_path / "nope.json"))
    with pytest.raises(BadFile):
        records.check_load_file(tmp_path / "folder.json")


def test_a_list_given_twice_is_refused_rather_than_half_read(s, tmp_path):
    path = tmp_path / "twice.json"
    path.write_text('{"achievements": [' + json.dumps(std(id="a")) + '], "achievements": ['
                    + json.dumps(std(id="b")) + "]}", "utf-8")
    err = _refused(s, path)
    assert isinstance(err, ValidationFailed) and "twice" in str(err)


def test_the_command_line_refuses_broken_files_in_one_line(tmp_path):
    db = tmp_path / "o.db"
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps({"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}],
                               "achievements": [std(id=f"a{i}", ref=f"GB/T {i}-2024") for i in range(50)]})[:-40],
                   "utf-8")
    bomb = write_json(tmp_path / "bomb.json", {"achievements": [{**std(), **{f"k{i}": i for i in range(120_000)}}]})
    for path in (cut, bomb):
        r = run_cli("load", str(path), "--db", str(db))
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr and "意外" not in r.stderr
    good = write_json(tmp_path / "good.json", {"enterprises": [{"uscc": GOOD_USCC, "name": "甲"}],
                                               "achievements": [std(id="a1")]})
    r = run_cli("load", str(good), "--db", str(db))
    assert r.returncode == 0 and "1 achievements added" in r.stdout
    r = run_cli("list", "achievements", "--json", "--db", str(db))
    assert [a["id"] for a in json.loads(r.stdout)] == ["a1"]  # nothing of the refused files
