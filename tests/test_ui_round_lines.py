"""The round screen at scale: its search gives exactly the lines a plain substring test of each
line's shown text gives (found nowhere, in a few lines, in most, typed on or jumping elsewhere,
with "needing attention"), and after a change the screen updates only the lines that changed: the
same lines, statuses and totals as a plain reading of the round, with the chosen line and the
scroll position kept (no reset)."""
from __future__ import annotations

import random

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, OTHER_USCC  # noqa: E402
from tests.test_ui_rounds import window  # noqa: E402, F401, F811 - fixture

NAMES = ("莆田市城厢区华峰鞋业有限公司", "福建省莆田市永丰鞋服有限公司", "Putian Shoes Co., Ltd.", "城厢区标准化研究所")


def _line(i: int, rng: random.Random) -> dict:
    status = rng.choice(("awarded", "awarded", "not_eligible", "discretionary", "duplicate"))
    amount = None if status in ("not_eligible", "duplicate") or rng.random() < 0.3 else \
        __import__("decimal").Decimal(rng.choice(("35000.00", "100000.00", "8000.50")))
    return {"id": i, "uuid": f"u{i}", "achievement": f"A{i}", "date": "2025-05-01",
            "enterprise": rng.choice(NAMES), "uscc": GOOD_USCC, "kind": "standard",
            "what": f"《鞋类产品标准第{i}号》GB/T {100000 + i}-2025", "status": status, "amount": amount,
            "rule": "r", "clause": rng.choice(("五(二)1", "五(二)2", "")), "fund": "",
            "explanation": rng.choice(("国家标准修订 第2位 50,000 × 70% = 35,000", "未列入奖补范围", "Rank beyond 3")),
            "flags": ["参与单位的位次按文件理解"] if rng.random() < 0.1 else [], "decision": "proposed", "version": 1}


def _shown_columns(line: dict) -> list[str]:
    """A line's cells as the table shows them, case-folded (the plain reference of the search)."""
    from desktop.ui.views import round_model as RM

    return [(c.fmt(line[c.key]) if c.fmt is not None and line[c.key] is not None else
             "" if line[c.key] is None else str(line[c.key])).casefold() for c in RM.LINE_COLUMNS]


def test_the_search_gives_the_lines_a_plain_substring_test_gives(qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.views import round_model as RM

    make_app()
    rng = random.Random(4)
    lines = [_line(i, rng) for i in range(3000)]
    plain_text = [_shown_columns(ln) for ln in lines]  # each line's columns as shown, as the search sees them
    model = RM.RoundLinesModel()
    model.set_rows(lines)
    across_lines = lines[10]["what"][-3:] + lines[11]["what"][:3]  # the end of one line and the start of the next
    typed = ["鞋", "鞋类", "鞋类产品标准第12", "鞋类产品标准第123", "鞋类产品标准第12", "", "gb/t 1000",
             "gb/t 102999", "不存在的文字", "华峰", "PUTIAN", "35,000.00", "未列入", "第1号》", across_lines,
             "有限公司\n《鞋类", "A29", "a2999", "", "8,000.50", "awarded", "未发", "限公司"]
    for attention in (False, True):
        model.set_filter(only_attention=attention)
        for text in typed:
            model.set_filter(text=text)
            needle = text.strip().casefold().replace("\n", "")  # (a search box holds one line)
            expected = [ln["achievement"] for ln, t in zip(lines, plain_text) if any(needle in c for c in t)
                        and (not attention or ln["flags"] or RM.needs_amount(ln))]
            assert [r["achievement"] for r in model.rows] == expected, (text, attention)
            assert model.rowCount() == len(expected)
    found = {len([t for t in plain_text if any(text.strip().casefold() in c for c in t)]) for text in typed}
    assert 0 in found and len(lines) in found and any(0 < n < len(lines) // 8 for n in found)  # each way to search


def _seed(ctx, n: int) -> None:
    from desktop.store.edits import save_achievement, save_enterprise

    save_enterprise({"name": "莆田市城厢区华峰鞋业有限公司", "uscc": GOOD_USCC}, ctx.username)
    save_enterprise({"name": "福建省莆田市永丰鞋服有限公司", "uscc": OTHER_USCC}, ctx.username)
    for i in range(n):
        save_achievement({"id": f"A{i:02d}", "enterprise": (GOOD_USCC, OTHER_USCC)[i % 2], "kind": "standard",
                          "level": ("national", "industry", "local")[i % 3], "action": ("formulate", "revise")[i % 2],
                          "rank": 1 + i % 4, "ref": f"GB/T {41000 + i}-2024", "title": f"鞋类试验方法 第{i}部分",
                          "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"}, ctx.username)
    ctx.changed("achievements")


def _computed(win, n: int, size: tuple[int, int] | None = None):
    """The round screen, ``size`` if given, with the 2024 round of ``n`` seeded standards computed
    (its worker done), in the main window ``win``."""
    _seed(win.ctx, n)
    view = win.show_view("rounds")
    if size is not None:
        view.resize(*size)
    view.year.setValue(2024)
    view.compute()
    assert win.ctx.tasks.wait()
    return view


def _plain(view) -> list[dict]:
    """The round's lines as the operations read them (the screen keeps each line's flags as a tuple)."""
    from desktop.operations import rounds

    return [{**ln, "flags": tuple(ln["flags"])} for ln in rounds.lines(view.ctx.session, view.round.uuid)]


def _shown(view) -> list[dict]:
    return [{k: v for k, v in ln.items() if k != "search"} for ln in view.model.source]


def test_after_a_change_only_the_changed_lines_update_and_the_chosen_line_and_scroll_stay(window, qtbot, monkeypatch):  # noqa: F811 - the fixture
    from desktop.core.money import format_money
    from desktop.operations import rounds
    from desktop.store.models import Achievement
    from desktop.ui.views import round_data as RD
    from desktop.ui.views import rounds as rounds_view

    monkeypatch.setattr(rounds_view, "READ_AT_ONCE", 1)  # read in the worker, as a large round is
    ctx = window.ctx
    view = _computed(window, 60, (900, 400))  # fewer rows than lines fit: there is a scroll position to keep
    assert _shown(view) == _plain(view) and len(view.lines) == 60

    assert view.select_achievement("A41")
    bar = view.tableview.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    resets = []
    view.model.modelReset.connect(lambda: resets.append(1))
    repainted: list[int] = []
    view.model.dataChanged.connect(lambda a, b, *_r: repainted.extend(range(a.row(), b.row() + 1)))
    before = {ln["achievement"]: dict(ln) for ln in view.lines}

    # the county corrects two records (a lower drafting rank), and another officer recomputes the round
    Achievement.update(rank=9).where(Achievement.source_id.in_(["A03", "A07"])).execute()
    rounds.compute(ctx.session, 2024)
    view.refresh()
    assert ctx.tasks.wait()

    plain = _plain(view)
    assert _shown(view) == plain  # the same lines, statuses and amounts as a plain reading
    changed = {ln["achievement"] for ln in plain if ln != {k: v for k, v in before[ln["achievement"]].items()
                                                            if k != "search"}}
    assert changed == {"A03", "A07"}
    assert sorted(view.model.rows[r]["achievement"] for r in set(repainted)) == ["A03", "A07"]
    assert resets == []  # not rebuilt: updated in place
    assert view.selected_line()["achievement"] == "A41" and bar.value() == scrolled
    total = RD.grand_total(plain)
    assert format_money(total) in view.footer.text()
    assert view.snapshot.total == total and view.snapshot.flagged == sum(1 for ln in plain if ln["flags"])
    assert sorted(r["total"] for r in view.ent_model.rows) == sorted(r["total"] for r in RD.totals_by(plain, "enterprise"))
    view.search.setText("gb/t 41003")  # the search sees the changed line's new text
    assert [r["achievement"] for r in view.model.rows] == ["A03"]
    assert "9" in view.model.rows[0]["explanation"] or view.model.rows[0]["status"] != before["A03"]["status"]
    view.search.setText("")

    # a change that adds a line: the screen is shown anew, the chosen line chosen again
    from desktop.store.edits import save_achievement

    assert view.select_achievement("A41")
    resets.clear()  # (each search above was a reset of the shown rows)
    save_achievement({"id": "A99", "enterprise": GOOD_USCC, "kind": "standard", "level": "national",
                      "action": "formulate", "rank": 1, "ref": "GB/T 41999-2024", "date": "2024-03-03"}, ctx.username)
    rounds.compute(ctx.session, 2024)
    view.refresh()
    assert ctx.tasks.wait()
    assert resets == [1] and _shown(view) == _plain(view) and len(view.lines) == 61
    assert view.selected_line()["achievement"] == "A41"


def test_a_change_that_moves_a_line_out_of_the_search_lays_the_rows_out_again_keeping_the_chosen_one(
        window, qtbot, monkeypatch):  # noqa: F811 - the fixture
    from desktop.operations import rounds
    from desktop.store.models import Achievement
    from desktop.ui.views import rounds as rounds_view

    monkeypatch.setattr(rounds_view, "READ_AT_ONCE", 1)
    ctx = window.ctx
    view = _computed(window, 12)
    view.search.setText("第1位")  # the lines of a first drafting unit
    shown_before = [r["achievement"] for r in view.model.rows]
    assert "A04" in shown_before and "A08" in shown_before
    assert view.select_achievement("A08")
    resets = []
    view.model.modelReset.connect(lambda: resets.append(1))
    Achievement.update(rank=2).where(Achievement.source_id == "A04").execute()  # no longer first
    rounds.compute(ctx.session, 2024)
    view.refresh()
    assert ctx.tasks.wait()
    assert resets == []
    assert [r["achievement"] for r in view.model.rows] == [a for a in shown_before if a != "A04"]
    assert view.selected_line()["achievement"] == "A08"
    assert _shown(view) == _plain(view)

    # changes found against a reading that is no longer shown are not applied: the round is read anew
    from desktop.ui.views.round_model import read_round

    stale_base = view.snapshot
    Achievement.update(rank=1).where(Achievement.source_id == "A04").execute()
    rounds.compute(ctx.session, 2024)
    late = read_round(ctx.session, 2024, None, stale_base)
    assert late.changed is not None and late.updates
    view.search.setText("")
    view.refresh()  # another reading is shown meanwhile
    assert ctx.tasks.wait() and view.snapshot is not stale_base
    resets.clear()
    view._show_snapshot(late)
    assert ctx.tasks.wait()
    assert _shown(view) == _plain(view) and view.selected_line()["achievement"] == "A08"


def test_reading_a_large_round_in_the_worker_steps_aside_while_the_table_paints(window, qtbot, monkeypatch):  # noqa: F811
    """The first reading and a refresh's reading of a large round look every few rows whether the UI
    thread is painting the table (each cell it asks for waits for the GIL otherwise), in the worker,
    and the lines they give are those of a plain reading."""
    import threading

    from desktop.ui.views import round_data as RD
    from desktop.ui.views import rounds as rounds_view

    monkeypatch.setattr(rounds_view, "READ_AT_ONCE", 1)
    monkeypatch.setattr(RD, "STEP_ROWS", 7)
    asides: list[bool] = []
    step = RD.step_aside
    monkeypatch.setattr(RD, "step_aside", lambda: asides.append(threading.current_thread() is threading.main_thread())
                        or step())
    ctx = window.ctx
    view = _computed(window, 30)
    assert len(view.lines) == 30
    assert asides and not any(asides)  # in the worker, every 7 rows
    asides.clear()
    view.refresh()
    assert ctx.tasks.wait()
    assert len(asides) == 30 // 7 and not any(asides)
    assert _shown(view) == _plain(view)
