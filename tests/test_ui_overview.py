"""The overview (offscreen): after a round is computed it shows the round's status, preparer, lines,
total, amounts to set and flags with the next step, and its buttons and links open the rounds view
on that year; it follows a submission (data_changed); the next step for a submitted round depends on
who is looking; targets and the audit chain arrive from the background; and on a quick start it
paints the round from plain SQL before anything heavy is imported."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

pytest.importorskip("pytestqt")

from tests.conftest import GOOD_USCC, std  # noqa: E402
from tests.test_ui_start import HEAVY, ROOT  # noqa: E402

LAST_YEAR = dt.date.today().year - 1
POLICY = "putian-chengxiang-2021"


def _office_with_round(status: str | None = "draft"):
    """Office, an enterprise, two national standards of last year (drafted at ranks 1 and 2), and
    last year's round computed by the clerk "chen" (then moved to ``status``)."""
    from desktop.operations import round_work
    from desktop.store import office, records, rounds, users

    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id=POLICY, signatory="莆田市城厢区市场监督管理局", user="tester")
    from desktop.store import publicity

    publicity.set_settings(user="tester", required=False, reason="notices without a publicity step")
    users.create_user("chen", "陈晓梅", "correct horse", "clerk")
    users.create_user("wang", "王建国", "correct horse", "reviewer")
    records.load({"enterprises": [{"uscc": GOOD_USCC, "name": "莆田市城厢区华峰鞋业有限公司"}],
                  "achievements": [std(id="A1", date=f"{LAST_YEAR}-05-01", ref=f"GB/T 41001-{LAST_YEAR}", rank=1),
                                   std(id="A2", date=f"{LAST_YEAR}-06-01", ref=f"GB/T 41002-{LAST_YEAR}", rank=2)]}, user="tester")
    if status is None:
        return None
    rnd = round_work.create_round(LAST_YEAR, POLICY, "chen")
    if status == "submitted":
        rounds.submit(rnd, "chen")
    return rnd


def _window(qtbot, db, user: str | None = None):
    from desktop.store.models import User
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    ctx = AppContext(db)
    if user:
        ctx.set_user(User.get(User.username == user))
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    view = win.show_view("overview")
    ctx.tasks.wait()
    return win, view


def _round_total(rnd) -> Decimal:
    from desktop.store.models import Award

    return sum((a.amount for a in Award.select().where(Award.round == rnd, Award.status.in_(("awarded", "discretionary")))
                if a.amount is not None), Decimal("0.00"))


def test_overview_shows_the_computed_round_and_what_to_do_next(qtbot, db):
    rnd = _office_with_round()
    total = _round_total(rnd)
    assert total > 0
    win, view = _window(qtbot, db, "chen")
    card = view.round_cards[1]
    assert card.title.text() == f"Award round {LAST_YEAR}" and card.status.text() == "draft"
    values = {k: v.text() for k, (_lab, v) in card.rows.items() if v.isVisible()}
    assert values["preparer"] == "陈晓梅 (chen)" and values["lines"] == "2"
    assert values["total"] == f"¥{total:,.2f}"
    assert view.round_cards[0].status.text() == "No round yet"  # nothing computed this year
    hint = view.hint.text()
    assert f"Every amount of the {LAST_YEAR} round is set: submit it for review" in hint
    assert f'href="round:{LAST_YEAR}"' in hint
    # the button opens the rounds view on that year
    from desktop.ui.qt import Qt

    qtbot.mouseClick(card.open_btn, Qt.MouseButton.LeftButton)
    assert win.current_name() == "rounds" and win.current_view().year.value() == LAST_YEAR
    assert win.current_view().round is not None and win.current_view().round.id == rnd.id


def test_a_submission_elsewhere_shows_on_the_overview(qtbot, db):
    from desktop.store import rounds

    rnd = _office_with_round()
    win, view = _window(qtbot, db, "chen")
    rounds.submit(rnd, "chen")
    win.ctx.changed("rounds")
    assert view.round_cards[1].status.text() == "submitted for review"
    assert f"The {LAST_YEAR} round is submitted: waiting for a reviewer" in view.hint.text()


def test_a_reviewer_is_told_the_round_waits_for_them(qtbot, db):
    _office_with_round("submitted")
    _win, view = _window(qtbot, db, "wang")
    assert f"The {LAST_YEAR} round waits for your review" in view.hint.text()


def test_amounts_to_set_and_flags_link_to_the_lines_needing_attention(qtbot, db):
    from desktop.store.models import Award

    rnd = _office_with_round()
    aw = Award.select().where(Award.round == rnd).first()
    Award.update(flags=[]).where(Award.round == rnd).execute()
    Award.update(status="discretionary", amount=None, flags=["judgment call"]).where(Award.id == aw.id).execute()
    win, view = _window(qtbot, db, "chen")
    values = {k: v.text() for k, (_lab, v) in view.round_cards[1].rows.items()}
    assert values["to_set"] == "1" and values["flagged"] == "1"
    hint = view.hint.text()
    assert f"Discretionary amounts to set in the {LAST_YEAR} round: 1" in hint
    assert f"Flagged lines to review in the {LAST_YEAR} round: 1" in hint
    assert "submit it for review" not in hint  # not before the amount is set
    assert view.round_cards[1].attention_btn.isVisibleTo(view)
    view.hint.linkActivated.emit(f"round:{LAST_YEAR}:attention")
    rv = win.current_view()
    assert win.current_name() == "rounds" and rv.year.value() == LAST_YEAR and rv.attention.isChecked()
    assert rv.proxy.rowCount() == 1  # only the line needing attention


def test_a_year_with_achievements_and_no_round_asks_for_one(qtbot, db):
    _office_with_round(None)
    _win, view = _window(qtbot, db)
    assert view.round_cards[1].status.text() == "No round yet"
    assert f"No award round for {LAST_YEAR} yet: compute it under Award rounds" in view.hint.text()


def test_targets_and_the_audit_chain_come_from_the_background(qtbot, db):
    from desktop.store.db import execute_sql

    _office_with_round()
    _win, view = _window(qtbot, db)
    assert view.late is not None and view.late.targets  # the policy in force sets targets
    assert view.targets_grid.count() >= 3  # text, bar and deadline of at least one target
    chain = view.safety.rows["chain"][1].text()
    assert chain.startswith("✓ intact")
    # an entry changed outside the program: the chain check names it, first in the next steps
    execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
    first = execute_sql("SELECT min(id) FROM audit_entry").fetchone()[0]
    execute_sql("UPDATE audit_entry SET user = 'mallory' WHERE id = ?", (first,))
    view.refresh()
    view.ctx.tasks.wait()
    assert view.safety.rows["chain"][1].text() == f"✗ broken at entry {first}"
    assert view.hint.text().startswith(f"• The audit log's chain is broken at entry {first}")


def test_notices_and_backups(qtbot, db, tmp_path):
    from desktop.operations.overview import backup_summary, notice_summary
    from desktop.store.db import execute_sql

    rnd = _office_with_round()
    ent = execute_sql("SELECT id FROM enterprise").fetchone()[0]
    this = dt.date.today().year
    # a notice left pending by a crash while printing needs a reprint as much as a failed one
    for serial, status in ((1, "issued"), (2, "failed"), (3, "void"), (4, "pending")):
        execute_sql("INSERT INTO notice (uuid, round_id, enterprise_id, year, serial, doc_number, issued_on, status, "
                    "content, content_hash, total, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', 'x', '1.00', ?)",
                    (f"u{serial}", rnd.id, ent, this, serial, f"城市监〔{this}〕{serial}号", f"{this}-01-0{serial}", status,
                     f"{this}-01-01 08:00:00"))
    n = notice_summary(this)
    assert (n["issued"], n["failed"], n["last"]) == (3, 2, f"城市监〔{this}〕4号")
    assert backup_summary(db) == {"automatic": None, "manual": None}
    from desktop.store import backup
    from desktop.store.models import database

    backup.make_backup(database, db, "manual")
    got = backup_summary(db)
    assert got["automatic"] is None and got["manual"] is not None
    assert abs((dt.datetime.now() - got["manual"]).total_seconds()) < 3600
    _win, view = _window(qtbot, db)
    assert view.notices.rows["failed"][1].text() == "2"
    assert "Notices not printed (failed or interrupted), waiting for a reprint: 2" in view.hint.text()
    assert view.safety.rows["auto"][1].text() == "never"


SCRIPT = """
import json, sys
from pathlib import Path
from desktop.ui import settings
from desktop.ui.app import Startup, make_app
from desktop.ui.context import AppContext
from desktop.ui.qt import QEvent, QObject, QTimer

HEAVY = %r
app = make_app()
settings.LAST_VIEW.set("overview")
ctx = AppContext()
st = Startup(ctx, lambda code: app.exit(code))
seen = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "loaded" not in seen and obj is st.window:
            view = st.window.current_view()
            seen["loaded"] = [m for m in HEAVY if m in sys.modules]
            seen["view"] = st.window.current_name()
            seen["status"] = view.round_cards[1].status.text()
            seen["total"] = view.round_cards[1].rows["total"][1].text()
            seen["late"] = view.late is not None
        return False

watch = FirstPaint()
app.installEventFilter(watch)

def bound():
    def check():
        if st.window.current_view().late is None:
            return QTimer.singleShot(20, check)
        seen["late_after"] = True
        app.exit(0)
    check()

ctx.store_ready.connect(bound)
QTimer.singleShot(20000, lambda: app.exit(3))
st.start(Path(sys.argv[1]))
rc = app.exec()
ctx.tasks.wait()
print(json.dumps(seen, ensure_ascii=False))
sys.exit(rc)
"""


def test_quick_start_paints_the_overview_from_plain_sql(tmp_path):
    from desktop.store import db as store_db
    from desktop.store.models import AuditEntry, User

    path = tmp_path / "office.db"
    store_db.open_db(path, auto_backup=False)
    rnd = _office_with_round()
    total = _round_total(rnd)
    User.delete().execute()  # no accounts: the quick start's case
    assert AuditEntry.select().count() > 0
    store_db.close_db()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), STDAWARD_DATA=str(tmp_path / "qdata"))
    out = subprocess.run([sys.executable, "-c", SCRIPT % (HEAVY,), str(path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == [] and seen["view"] == "overview"
    assert seen["status"] == "draft" and seen["total"] == f"¥{total:,.2f}" and seen["late"] is False
    assert seen["late_after"]  # targets and the chain check followed once the models were bound


def test_a_target_on_the_overview_opens_the_targets_view_on_it(qtbot, db):
    _office_with_round()
    win, view = _window(qtbot, db)
    shown = view.late.targets[:3]
    assert len(shown) >= 2  # the policy in force sets several
    wanted = shown[-1]
    label = view.findChild(type(view.hint), f"target-{wanted.id}")
    assert label is not None and wanted.text in label.text()
    label.linkActivated.emit(f"target:{wanted.id}")
    tv = win.current_view()
    assert win.current_name() == "targets"
    qtbot.waitUntil(lambda: tv.current_target() is not None and tv.current_target().id == wanted.id, timeout=10000)


def test_the_overview_shows_what_was_issued_paid_and_is_still_owed_per_year_and_fund(qtbot, db, tmp_path):
    from desktop.operations import notices as ops
    from desktop.operations import payments, round_work
    from desktop.operations.session import Actor, Session
    from desktop.store.models import AwardRound

    rnd = _office_with_round("submitted")
    round_work.approve(AwardRound.get_by_id(rnd.id), "wang")
    s = Session.attach(db)
    s.actor = Actor("wang", "王建国", "reviewer")
    issued = ops.issue_round(s, rnd.uuid, dt.date.today())
    total = sum((n.total for n in issued), Decimal(0))
    ops.print_notices(s, issued, tmp_path / "notices.pdf")
    payments.record(s, issued[0].doc_number, Decimal("10000.00"), dt.date.today(), "财拨〔1〕号")
    _win, view = _window(qtbot, db)
    rows = {k: (lab.text(), val.text()) for k, (lab, val) in view.notices.rows.items()
            if k.startswith("money-") and val.isVisible()}
    assert len(rows) == 1, rows
    (label, value), = rows.values()
    assert label == f"{dt.date.today().year} · 区级实施标准化战略专项资金"  # the year of issue; the fund by name
    left = total - Decimal("10000.00")
    from desktop.ui.linebreaks import plain
    from tests.test_ui_narrow import breaks

    assert plain(value) == f"issued ¥{total:,.2f}, paid ¥10,000.00, outstanding ¥{left:,.2f}", value
    clauses = [f"issued ¥{total:,.2f},", "paid ¥10,000.00,", f"outstanding ¥{left:,.2f}"]
    font = view.notices.rows[next(iter(rows))][1].font()
    for width in range(60, 700, 7):  # a narrow window wraps the line after a comma, never inside a clause
        lines = [ln.strip() for ln in breaks(value, font, width)]
        assert all(any(c in ln for ln in lines) for c in clauses), (width, lines)


def test_the_office_line_names_its_region_and_policy_never_their_codes(qtbot, db, monkeypatch):
    """The office's line reads 350302（福建省莆田市城厢区） and the policy's title once the background
    reading is in; before it, the policy is a dash in waiting, never its id."""
    from desktop.core import regions
    from desktop.ui.linebreaks import plain
    from desktop.ui.views import overview

    _office_with_round()
    painted: list[str] = []
    paint = overview.OverviewView._paint

    def spy(self):
        paint(self)
        painted.append(plain(self.profile.text()))  # as read (its parts are kept from breaking)
    monkeypatch.setattr(overview.OverviewView, "_paint", spy)
    _win, view = _window(qtbot, db)
    assert painted and all(POLICY not in text for text in painted)
    final = plain(view.profile.text())
    assert regions.loaded() and "350302（福建省莆田市城厢区）" in final
    assert view.late is not None and view.late.policy_title and view.late.policy_title in final
