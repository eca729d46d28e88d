"""The round screen's lines held by column (a round of 10⁶ lines on an office PC): every cell, colour,
icon and tooltip is what the table of line dicts showed (amounts as money text, statuses in Chinese,
no internal id); sorting by any column, at once or built in the background in slices, gives the
lines in the order a plain sort of the shown texts gives, with the search on too; and a change made
meanwhile by another session updates exactly the lines it touched, in a sorted and searched table."""
from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_round_lines import _computed, _line, _shown_columns  # noqa: E402
from tests.test_ui_rounds import window  # noqa: E402, F401, F811 - fixture


def _lines(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = [_line(i, rng) for i in range(n)]
    for ln in out[::7]:  # some lines the same achievement text (ties in a sort keep the order read)
        ln["what"] = "《鞋类产品标准》GB/T 1-2025"
    for ln in out[::11]:
        ln["amount"] = None if ln["status"] != "awarded" else Decimal("35000")  # equal to 35000.00, shown apart
    return out


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "color"):
        return value.color().name()
    if hasattr(value, "cacheKey"):
        return "icon"
    return value


def _colour(name):
    from desktop.ui.qt import QColor

    return None if name is None else QColor(name).name()


def test_the_lines_by_column_show_what_the_line_dicts_showed(qtbot):
    from desktop.core import i18n
    from desktop.ui.app import make_app
    from desktop.ui.qt import Qt
    from desktop.ui.tablemodel import ROW_ROLE, ListTableModel
    from desktop.ui.views import round_model as RM
    from desktop.ui.views.widgets import FLAG_BACKGROUND, MUTED_TEXT, OPEN_BACKGROUND

    make_app()
    i18n.set_locale("zh_CN")
    try:
        lines = _lines(400, 11)
        old = ListTableModel(RM.LINE_COLUMNS)  # the table of line dicts the screen had
        old.set_rows([dict(ln) for ln in lines])
        new = RM.RoundLinesModel()
        new.set_rows(lines)
        assert new.rowCount() == old.rowCount() == 400
        for r, ln in enumerate(lines):
            for c in range(len(RM.LINE_COLUMNS)):
                a, b = old.index(r, c), new.index(r, c)
                assert new.data(b) == old.data(a), (r, c)
                assert new.data(b, Qt.ItemDataRole.TextAlignmentRole) == old.data(a, Qt.ItemDataRole.TextAlignmentRole)
                background = (FLAG_BACKGROUND if ln["flags"] else OPEN_BACKGROUND if RM.needs_amount(ln) else None)
                assert _plain(new.data(b, Qt.ItemDataRole.BackgroundRole)) == _colour(background), (r, c)
                muted = MUTED_TEXT if ln["status"] in ("not_eligible", "duplicate") else None
                assert _plain(new.data(b, Qt.ItemDataRole.ForegroundRole)) == _colour(muted), (r, c)
                assert new.data(b, Qt.ItemDataRole.ToolTipRole) == RM.tooltip(ln)
            row = new.index(r, 0).data(ROW_ROLE)
            assert {k: row[k] for k in ln} == {**ln, "flags": tuple(ln["flags"])}
            icon = new.data(new.index(r, RM.STATUS_COLUMN), Qt.ItemDataRole.DecorationRole)
            assert (icon is not None) == bool(ln["flags"] or RM.needs_amount(ln))
        cells = [new.data(new.index(r, c)) for r in range(400) for c in range(len(RM.LINE_COLUMNS))]
        statuses = {new.data(new.index(r, RM.STATUS_COLUMN)) for r in range(400)}
        assert statuses and all(re.fullmatch(r"[\u4e00-\u9fff（）]+", s) for s in statuses), statuses  # Chinese
        amounts = {new.data(new.index(r, 3)) for r in range(400)} - {""}
        assert amounts == {"¥35,000.00", "¥100,000.00", "¥8,000.50"}  # 35000 and 35000.00 alike, two places
        assert not any(t in ("awarded", "not_eligible", "discretionary", "duplicate", "proposed", "r")
                       or re.fullmatch(r"u\d+", t) for t in cells)  # no status code, rule id or award uuid
    finally:
        i18n.set_locale("en")


def _plain_order(lines: list[dict], column: int, descending: bool, needle: str = "") -> list[str]:
    """The achievement ids in the order a plain sort of the lines by the column's shown text gives
    (the table of line dicts' own sort: the UI collation; money by value, blanks first), filtered
    by a plain substring test of each shown cell."""
    from desktop.ui.qt import Qt
    from desktop.ui.tablemodel import Column, ListTableModel
    from desktop.ui.views import round_model as RM

    col = RM.LINE_COLUMNS[column]
    rows = [{"a": ln["achievement"], "k": ln[col.key] if col.key == "amount" else _shown_columns(ln)[column]
             if col.fmt is None else col.fmt(ln[col.key])} for ln in lines]
    if col.fmt is None:  # as shown, not case-folded
        for row, ln in zip(rows, lines):
            row["k"] = "" if ln[col.key] is None else str(ln[col.key])
    plain = ListTableModel([Column("k", "k")])
    plain.set_rows(rows)
    plain._sort_rows(0, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
    found = {ln["achievement"] for ln in lines if any(needle in t for t in _shown_columns(ln))}
    return [r["a"] for r in plain.rows if r["a"] in found]


@pytest.mark.parametrize("how", ["at once", "in the background", "in the background, slices merged"])
def test_sorting_gives_the_order_a_plain_sort_gives(qtbot, monkeypatch, how):
    from desktop.ui.app import make_app
    from desktop.ui.qt import Qt
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views import round_model as RM

    make_app()
    runner = None
    if how != "at once":
        runner = TaskRunner()
        monkeypatch.setattr(RM.RoundLinesModel, "SORT_AT_ONCE", 0)
    if how.endswith("merged"):  # many slices, each sorted apart and merged: the path of a large round
        monkeypatch.setattr(RM, "SORT_SLICE", 37)
        monkeypatch.setattr(RM, "COLLATE_SLICE", 53)
        monkeypatch.setattr(RM, "BUCKETS_UP_TO", 0)
    lines = _lines(900, 5)
    model = RM.RoundLinesModel(runner=runner)
    model.set_rows(lines)
    for needle in ("", "鞋类产品标准第1"):
        model.set_filter(text=needle)
        for column in range(len(RM.LINE_COLUMNS)):
            for descending in (False, True):
                model.sort(column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
                if runner is not None:
                    assert model.sorting  # the rows stay as they were meanwhile
                    assert runner.wait() and not model.sorting
                got = [r["achievement"] for r in model.rows]
                assert got == _plain_order(lines, column, descending, needle), (needle, column, descending)
    # new lines arrive in the chosen order
    model.set_rows(lines[::-1])
    if runner is not None:
        assert runner.wait()
    assert [r["achievement"] for r in model.rows] == _plain_order(lines[::-1], len(RM.LINE_COLUMNS) - 1, True,
                                                                  "鞋类产品标准第1")


def test_a_change_by_another_session_refreshes_exactly_its_lines_in_a_sorted_searched_table(
        window, qtbot, monkeypatch):  # noqa: F811 - the fixture
    from desktop.operations import rounds
    from desktop.operations.session import Session
    from desktop.store.models import Achievement
    from desktop.ui.qt import Qt
    from desktop.ui.views import round_model as RM
    from desktop.ui.views import rounds as rounds_view

    monkeypatch.setattr(rounds_view, "READ_AT_ONCE", 1)  # read in the worker, as a large round is
    monkeypatch.setattr(RM.RoundLinesModel, "SORT_AT_ONCE", 0)  # sorted in the background, as a large round is
    ctx = window.ctx
    view = _computed(window, 40)
    view.tableview.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # by amount, largest first
    assert ctx.tasks.wait() and not view.model.sorting
    view.search.setText("gb/t 410")
    assert view.select_achievement("A13")
    resets, repainted = [], []
    view.model.modelReset.connect(lambda: resets.append(1))
    view.model.dataChanged.connect(lambda a, b, *_r: repainted.extend(
        view.model.rows[r]["achievement"] for r in range(a.row(), b.row() + 1)))

    # another officer, in a session of their own, recomputes after the county lowered two ranks
    other = Session.attach(ctx.db_path)
    other.sign_in("lin", "correct horse")
    Achievement.update(rank=9).where(Achievement.source_id.in_(["A06", "A20"])).execute()
    rounds.compute(other, 2024)
    view.refresh()
    assert ctx.tasks.wait() and not view.model.sorting

    plain = [{**ln, "flags": tuple(ln["flags"])} for ln in rounds.lines(other, view.round.uuid)]
    assert [dict(ln) for ln in view.model.source] == plain  # every line as a plain reading gives it
    assert sorted(set(repainted)) == ["A06", "A20"] and resets == []  # only those lines, in place
    assert [r["achievement"] for r in view.model.rows] == _plain_order(plain, 3, True, "gb/t 410")
    assert view.selected_line()["achievement"] == "A13"
    assert view.snapshot.total == rounds.info(other, view.round.uuid).total
    # the amount dialog's reload reads the one line it shows, as the whole round's reading has it
    whole = rounds.lines(other, view.round.uuid)
    assert rounds.lines(other, view.round.uuid, whole[5]["uuid"]) == [whole[5]]
    assert rounds.lines(other, view.round.uuid, "no-such-award") == []


def test_changes_made_ready_in_a_worker_are_stored_as_a_plain_setting_of_each_line_would(qtbot):
    """A refresh's changed lines are worked out in the worker (``prepare`` reads the lines, changes
    nothing), and the UI thread only stores them: new values never seen in the round, a line whose
    achievement was reworded, lines that changed only their signature, all as ``set`` line by line."""
    from desktop.ui.views import round_data as RD

    rows = _lines(300, 5)
    shown, plain = RD.RoundLines.of(rows), RD.RoundLines.of(rows)
    before = [dict(ln) for ln in shown]

    def changed(i: int, **new) -> tuple:  # the values a reading gives of line i changed so
        line = RD.RoundLines.of([{**rows[i], **new}])[0]
        return tuple(line[k] for k in RD.LINE_FIELDS)

    changes = [(3, changed(3, amount=Decimal("12345.67"), explanation="复核后的说明（新）"), 91),
               (40, changed(40, what="《鞋类产品标准》GB/T 9-2025（修订）"), 92),
               (41, changed(41, version=7), 93),  # the same values, another version
               (299, changed(299, status="discretionary", amount=None, flags=("须人工判断",)), 94)]
    ready = shown.prepare(changes)
    assert [dict(ln) for ln in shown] == before  # prepared: nothing stored yet
    assert ready.touches("enterprise")  # (a line set whole may change any column)
    assert not shown.prepare([changes[0], changes[2]]).touches("enterprise")
    assert shown.prepare([changes[0], changes[2]]).touches("amount")
    assert not shown.prepare([changes[2]]).codes  # only another version: no column to store
    assert [i for i, _v, _s in ready.whole] == [40]  # reworded: set whole
    shown.apply(ready)
    for i, values, sig in changes:
        plain.set(i, values, sig)
    assert [dict(ln) for ln in shown] == [dict(ln) for ln in plain]
    assert list(shown.sigs) == list(plain.sigs) and shown[41]["version"] == 7
    assert shown[3]["amount"] == Decimal("12345.67") and shown[299]["flags"] == ("须人工判断",)
    assert shown.hits("gb/t 9-2025（修订）", None, {}) == [i == 40 for i in range(300)]


def test_many_lines_set_whole_are_made_ready_in_the_worker_and_stored_without_remaking_a_chunk(qtbot, monkeypatch):
    """A round recomputed after one achievement in ten changed: 10,000 lines of 100,000 came back with
    another description, and some with another award at their place. Setting each whole on the UI
    thread made its texts' chunk again, twice per line: 4.4 s there. Now the chunks are made in the
    worker (``prepare``), each once, and the UI thread only stores them (no chunk made in ``apply``);
    what is stored is what setting each line would store, across sealed chunks and the tail."""
    import uuid as uuidlib

    from desktop.ui.views import round_data as RD

    monkeypatch.setattr(RD.TextColumn, "CHUNK", 16)  # 300 lines: 18 sealed chunks and a tail
    rows = _lines(300, 8)
    shown, plain = RD.RoundLines.of(rows), RD.RoundLines.of(rows)

    def changed(i: int, **new) -> tuple:
        line = RD.RoundLines.of([{**rows[i], **new}])[0]
        return tuple(line[k] for k in RD.LINE_FIELDS)

    changes = [(i, changed(i, what=f"《鞋类产品标准》GB/T {i}-2026（修订）", achievement=f"N{i}"), 500 + i)
               for i in range(2, 300, 3)]
    changes += [(1, changed(1, id=9001, uuid=str(uuidlib.UUID(int=9001))), 901),  # another award at its place
                (4, changed(4, id=9002, uuid="not-a-canonical-uuid"), 902)]
    made: list[int] = []
    real = RD.TextColumn._texts
    monkeypatch.setattr(RD.TextColumn, "_texts", lambda self, c: made.append(c) or real(self, c))
    ready = shown.prepare(changes)
    assert made and len(made) <= 2 * 19  # each chunk made once per column, in the worker
    made.clear()
    shown.apply(ready)
    assert made == []  # the UI thread made no chunk
    for i, values, sig in changes:
        plain.set(i, values, sig)
    assert [dict(ln) for ln in shown] == [dict(ln) for ln in plain]
    assert shown[4]["uuid"] == "not-a-canonical-uuid" and shown[1]["id"] == 9001
    assert shown.hits("gb/t 299-2026（修订）", None, {}) == [i == 299 for i in range(300)]


def test_a_refresh_that_changes_only_other_columns_keeps_the_sorted_order_without_sorting_again(qtbot, monkeypatch):
    from desktop.ui.app import make_app
    from desktop.ui.qt import Qt
    from desktop.ui.views import round_data as RD
    from desktop.ui.views import round_model as RM

    make_app()
    rows = _lines(200, 9)
    model = RM.RoundLinesModel()
    model.set_rows(RD.RoundLines.of(rows))
    model.sort(3, Qt.SortOrder.DescendingOrder)  # by amount
    order = model.order
    sorts = []
    monkeypatch.setattr(RM, "sort_positions", lambda *a: sorts.append(1) or [])
    values = tuple(tuple(rows[5].get(k) or ()) if k == "flags" else rows[5].get(k) for k in RD.LINE_FIELDS)
    explanation = RD.LINE_FIELDS.index("explanation")
    model.update_lines([(5, values[:explanation] + ("复核（新）",) + values[explanation + 1:], 77)])
    assert sorts == [] and model.order is order and model.lines[5]["explanation"] == "复核（新）"
    amount = RD.LINE_FIELDS.index("amount")
    model.update_lines([(5, values[:amount] + (Decimal("999999.00"),) + values[amount + 1:], 78)])
    assert sorts == [1]  # its amount changed: sorted again


def test_whether_a_line_holds_a_value_looks_at_the_lines_not_at_the_values_once_seen(qtbot):
    """``any_of`` (the 公示 dialog's letters of refusal: is a line refused?) answers for the lines as
    they are now: a status no line holds any more, after a refresh changed the only one, is not found."""
    from desktop.ui.views import round_data as RD

    rows = [{**ln, "status": "awarded"} for ln in _lines(50, 2)]
    rows[17]["status"] = "duplicate"
    lines = RD.RoundLines.of(rows)
    assert lines.any_of("status", ("not_eligible", "duplicate"))
    assert not lines.any_of("status", ("not_eligible",)) and not lines.any_of("status", ())
    line = lines[17]
    lines.set(17, tuple("awarded" if k == "status" else line[k] for k in RD.LINE_FIELDS))
    assert not lines.any_of("status", ("not_eligible", "duplicate"))  # coded once, held by no line now
    assert lines.any_of("status", ("awarded",))


def test_the_search_finds_what_a_line_holds_in_chunks_and_after_changes_never_across_two_lines(monkeypatch):
    """The search texts are held in chunks (a string per line was ~80 MB of a round of 10⁶): a search
    gives, for any order of lines, what a test of each line's own text gives: across chunks and the
    tail, for text running over the end of one line into the next (no match), after lines changed
    (set one by one, or made ready in a worker and stored) and with a character used to join them
    in a title."""
    from desktop.ui.views import round_data as RD

    monkeypatch.setattr(RD.HayColumn, "CHUNK", 16)
    monkeypatch.setattr(RD.TextColumn, "CHUNK", 16)
    rows = _lines(300, 11)
    rows[40]["what"] = "《鞋类\x00产品标准》GB/T 77-2025"
    lines = RD.RoundLines.of(rows)

    def expected(needle, positions):
        texts = [f"{ln['what']}\n{ln['achievement']}".casefold() for ln in lines]  # each line's own text, NUL and all
        return [needle in texts[i] for i in positions]

    rng = random.Random(5)
    orders = [None, range(0, 300), range(17, 290), range(288, 300), rng.sample(range(300), 300), [299, 3, 150]]
    across = f"{rows[9]['achievement'][-2:]}{rows[10]['what'][:3]}"  # the end of one line's text, the next's start
    assert not any(expected(across.casefold(), range(300)))
    needles = ["gb/t", "鞋类", "gb/t 1-2025", "不存在", across, "鞋类 产品", "\x00"]
    for _round in range(2):
        for needle in needles:
            for positions in orders:
                got = lines.hits(needle.casefold(), positions, {})
                want = expected(needle.casefold(), positions if positions is not None else range(300))
                assert list(map(bool, got)) == want, (needle, positions)
        # lines change: one set whole, many made ready and stored, some in the tail
        line = lines[33]
        lines.set(33, tuple("《新标准》GB/T 12345-2026" if k == "what" else line[k] for k in RD.LINE_FIELDS))
        changes = []
        for i in (0, 15, 16, 150, 290, 299):
            line = lines[i]
            changes.append((i, tuple(f"《鞋类产品标准》GB/T {i}-2026（修订）" if k == "what" else line[k]
                                     for k in RD.LINE_FIELDS), 0))
        ready = lines.prepare(changes)  # in the worker: the kept searches' answers for the new chunks too
        lines.apply(ready)
        for needle, (seen, _bits) in lines.hay._found.items():  # the UI thread looks through no chunk again
            assert all(seen[c] is chunk for c, chunk in enumerate(lines.hay._chunks)), needle
        needles.append("（修订）")
    assert list(map(bool, lines.hits("gb/t 12345-2026", None, {}))) == [i == 33 for i in range(300)]
