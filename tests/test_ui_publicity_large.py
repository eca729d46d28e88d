"""The 公示 dialog of a large round (offscreen): its line chooser makes a row only when it is shown
(an item per line froze the window at 10⁶ lines), the officer still reaches any line, by scrolling
the list or by typing part of the enterprise, credit code or achievement, and the objection is
recorded against the line chosen."""
from __future__ import annotations

import uuid as uuidlib

import pytest

pytest.importorskip("pytestqt")

from tests.test_ui_publicity import approved_round  # noqa: E402
from tests.test_ui_rounds import add_data, qtbot_left, window  # noqa: E402,F401 - fixture

EXTRA = 60_000


def _big(real: list[dict]):
    """The round's real lines among ``EXTRA`` made-up ones (others' lines, in the middle)."""
    from desktop.ui.views import round_data as RD

    made = RD.RoundLines.of(real[:1])
    for i in range(EXTRA):
        made.append((10_000 + i, str(uuidlib.UUID(int=i + 1)), f"B{i}", "2024-05-01", f"莆田市第{i % 700}号鞋业有限公司",
                     f"91350302MA{i:08d}", "standard", f"制定团体标准《鞋类产品第{i}号》", "awarded", "予以奖补",
                     None, "r1", "五(二)1", "f1", "团体标准制定", (), "proposed", 1))
    for ln in real[1:]:
        made.append(tuple(tuple(ln.get(k) or ()) if k == "flags" else ln.get(k) for k in RD.LINE_FIELDS))
    return made


def test_the_publicity_dialog_of_a_large_round_lets_the_officer_pick_any_line(window, qtbot, monkeypatch):  # noqa: F811
    from desktop.operations import rounds
    from desktop.store.models import Objection
    from desktop.ui.views import publicity as P

    ctx = window.ctx
    add_data(ctx)
    uid = approved_round(ctx)
    ctx.set_user(window.accounts["reviewer"])
    real = rounds.lines(ctx.session, uid)
    assert len(real) >= 2
    lines = _big(real)
    asked: list[int] = []

    class Counted(P.LineChoices):
        def data(self, index, role=0):
            asked.append(index.row())
            return super().data(index, role)

    monkeypatch.setattr(P, "LineChoices", Counted)
    dlg = P.PublicityDialog(ctx, rounds.latest(ctx.session, 2024), lines, window)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.line.count() == len(lines) == EXTRA + len(real)
    assert len(set(asked)) < 100  # rows made for what is shown, not one per line
    dlg.days.setValue(5)
    dlg.where.setText("莆田市城厢区市场监督管理局标准化股")
    dlg.contact.setText("陈晓梅，0594-2600000")
    qtbot.mouseClick(dlg.start_btn, qtbot_left())
    assert dlg.object_box.isEnabled()

    # the last line, by scrolling to it: the list holds it, with its text and its award
    last = len(lines) - 1
    dlg.line.setCurrentIndex(last)
    assert dlg.line.currentData() == real[-1]["uuid"]
    assert dlg.line.currentText() == f"{real[-1]['enterprise']} · {real[-1]['what']}"

    # nothing searched: no empty row between the line and who raised the objection
    assert not dlg.found.isVisible()
    # a line in the middle, found by typing part of its enterprise's credit code
    dlg.find_line.setText("ma00031416")
    qtbot.waitUntil(lambda: dlg.line.count() == 1)
    assert dlg.line.currentData() == str(uuidlib.UUID(int=31416 + 1)) and "1 line(s) found" in dlg.found.text()
    assert dlg.found.isVisible()
    dlg.find_line.setText("不存在的成果")
    qtbot.waitUntil(lambda: dlg.line.count() == 0)
    assert dlg.line.currentData() is None and "No line" in dlg.found.text()
    assert not dlg.object_btn.isEnabled()  # nothing chosen: nothing to record
    qtbot.mouseClick(dlg.object_btn, qtbot_left())
    assert Objection.select().count() == 0

    # the real first line, by a piece of its achievement: the objection goes against it
    piece = real[0]["what"][-6:]
    dlg.find_line.setText(piece)
    qtbot.waitUntil(lambda: 0 < dlg.line.count() < len(lines))
    found = [dlg.line.itemData(i) for i in range(dlg.line.count())]
    assert real[0]["uuid"] in found
    assert all(piece.casefold() in dlg.line.itemText(i).casefold() or "·" in dlg.line.itemText(i)
               for i in range(dlg.line.count()))
    dlg.line.setCurrentIndex(found.index(real[0]["uuid"]))
    dlg.raised_by.setText("莆田市某鞋业公司")
    dlg.text.setText("起草单位排序有误")
    qtbot.mouseClick(dlg.object_btn, qtbot_left())
    objection = Objection.get()
    assert objection.text == "起草单位排序有误"
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 3).text() == real[0]["what"]
    # the list back whole once the search is cleared
    dlg.find_line.clear()
    qtbot.waitUntil(lambda: dlg.line.count() == len(lines))
    dlg.close()


@pytest.mark.parametrize("read_at_once", [True, False])
def test_the_notices_view_opens_the_publicity_dialog_with_the_lines_its_chooser_needs(
        window, qtbot, monkeypatch, read_at_once):  # noqa: F811 - the fixture
    """From the notices view the dialog's chooser gets the round's lines read a batch at a time (a
    large round's in the background), never a dict per line: the same lines, in the same order, with
    the same enterprise, achievement and award as a plain reading gives, and the search finds them."""
    from desktop.operations import rounds
    from desktop.ui.views import publicity as P

    ctx = window.ctx
    add_data(ctx)
    uid = approved_round(ctx)
    ctx.set_user(window.accounts["reviewer"])
    plain = rounds.lines(ctx.session, uid)
    assert len(plain) >= 3

    def refused(*_a, **_k):
        raise AssertionError("the lines read as dicts")

    monkeypatch.setattr(rounds, "lines", refused)
    monkeypatch.setattr(P, "READ_AT_ONCE", 10_000 if read_at_once else 0)
    view = window.show_view("notices")
    view.refresh()
    view.round_box.setCurrentIndex(view.round_box.findData(uid))
    qtbot.mouseClick(view.publicity_btn, qtbot_left())
    if not read_at_once:
        assert getattr(view, "publicity_window", None) is None  # not yet: the lines are being read
        assert ctx.tasks.wait()
    dlg = view.publicity_window
    assert dlg.isVisible()
    choices = dlg.choices
    assert [(choices.index(r).data(), choices.index(r).data(0x0100)) for r in range(choices.rowCount())] == [
        (f"{ln['enterprise']} · {ln['what']}", ln["uuid"]) for ln in plain]
    assert [dict(ln)["achievement"] for ln in choices.lines] == [ln["achievement"] for ln in plain]
    assert dlg.refusals_btn.isEnabled() == any(ln["status"] in ("not_eligible", "duplicate") for ln in plain)
    dlg.find_line.setText(plain[-1]["achievement"].lower())
    dlg._find()
    assert dlg.line.currentData() == plain[-1]["uuid"]
    dlg.close()


def test_the_notices_view_shares_the_round_screens_lines_when_it_shows_that_round(window, qtbot, monkeypatch):  # noqa: F811
    """The 公示 dialog opened from the notices view takes the lines the round screen holds of the
    same round (a round of 10⁶ lines held twice took ~940 MB), and reads them itself only when the
    screen shows another round or other lines."""
    from desktop.operations import rounds
    from desktop.ui.views import publicity as P

    ctx = window.ctx
    add_data(ctx)
    uid = approved_round(ctx)
    ctx.set_user(window.accounts["reviewer"])
    screen = window.show_view("rounds")
    screen.year.setValue(2024)
    screen.refresh()
    assert ctx.tasks.wait() and screen.snapshot.round.uuid == uid
    read: list[str] = []
    real_read = P.read_choices
    monkeypatch.setattr(P, "read_choices", lambda s, u, p=None: read.append(u) or real_read(s, u, p))
    view = window.show_view("notices")
    view.refresh()
    view.round_box.setCurrentIndex(view.round_box.findData(uid))
    qtbot.mouseClick(view.publicity_btn, qtbot_left())
    dlg = view.publicity_window
    assert read == [] and dlg.lines is screen.lines  # shared, not read again
    assert dlg.choices.rowCount() == len(rounds.lines(ctx.session, uid))
    dlg.close()

    # the screen shows another year (no round): the dialog's lines are read for it
    screen.year.setValue(2023)
    assert ctx.tasks.wait() and screen.snapshot.round is None
    qtbot.mouseClick(view.publicity_btn, qtbot_left())
    assert ctx.tasks.wait()
    assert read == [uid] and view.publicity_window.lines is not screen.lines
    assert view.publicity_window.choices.rowCount() == len(rounds.lines(ctx.session, uid))
    view.publicity_window.close()


def test_finding_a_line_of_a_large_round_runs_in_the_background_and_a_newer_text_wins(qtbot):
    from desktop.ui.app import make_app
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views import publicity as P
    from desktop.ui.views import round_data as RD

    make_app()
    lines = _big([])
    runner = TaskRunner()
    choices = P.LineChoices(lines, runner=runner)
    found: list[int] = []
    choices.on_found = lambda: found.append(choices.rowCount())
    choices.find("ma0003141")  # 10 lines hold it
    assert choices.searching and choices.rowCount() == len(lines)  # the rows as they were meanwhile
    choices.find("ma00031416")  # typed on before the first search's lines came: only this one is shown
    assert runner.wait() and not choices.searching
    assert found == [1] and choices.index(0).data(0x0100) == str(uuidlib.UUID(int=31416 + 1))
    choices.find("不存在的成果")
    assert runner.wait() and choices.rowCount() == 0 and found == [1, 0]
    choices.find("")
    assert choices.rowCount() == len(lines) and not choices.searching
    few = RD.RoundLines.of([{"id": i, "uuid": str(uuidlib.UUID(int=i + 1)), "achievement": f"B{i}",
                             "enterprise": "莆田市鞋业", "uscc": f"91350302MA{i:08d}", "what": "团体标准",
                             "status": "awarded"} for i in range(30)])
    small = P.LineChoices(few, runner=runner)
    small.find("ma0000001")
    assert not small.searching and small.rowCount() == 10  # a few lines: found at once
