"""Connecting the PCs to the office's database server from the window: the connection dialog (in the
first-run wizard and under File), what it tells the officer for each thing that can be wrong, the
password in the OS keyring (a fake, in-memory keyring here) or, on a PC without one, asked at each
sign-in and never written anywhere.

The server is a throwaway one (tests/conftest_pg.py) that asks the officers' roles for their
password (scram-sha-256), as an office server does.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
keyring = pytest.importorskip("keyring")

from conftest_pg import Server, own_pg_server  # noqa: E402,F401 - fixture
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.backends import fail  # noqa: E402
from keyring.errors import PasswordDeleteError  # noqa: E402

from tests.test_ui_daily import set_up_office, started  # noqa: E402,F401 - the fixture

PASSWORD = "Zhang-密码-2026"
WAIT = 30000


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its passwords in this process (what Windows' credential store does on disk)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def ring():
    before = keyring.get_keyring()
    mine = MemoryKeyring()
    keyring.set_keyring(mine)
    yield mine
    keyring.set_keyring(before)


@pytest.fixture
def no_ring():
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def _admin(server: Server):
    import psycopg

    return psycopg.connect(host=str(server.folder), port=5432, user=server.superuser, dbname="postgres",
                           autocommit=True)


@pytest.fixture(scope="module")
def office_server(own_pg_server: Server) -> Server:  # noqa: F811 - the fixture imported above
    """The throwaway server with the office's roles: ``zhang`` (owns the office databases, so may set
    them up) and ``viewer`` (may connect, may not create tables), both signing in with a password. A
    server of the module's own: its sign-in rules change."""
    import psycopg

    with _admin(own_pg_server) as con:
        con.execute(f"CREATE ROLE zhang LOGIN PASSWORD '{PASSWORD}'")
        con.execute("CREATE ROLE viewer LOGIN PASSWORD 'viewer-pw'")
    (own_pg_server.folder / "data" / "pg_hba.conf").write_text(
        "local all zhang scram-sha-256\nlocal all viewer scram-sha-256\nlocal all all trust\n")
    own_pg_server.run("pg_ctl", "-D", str(own_pg_server.folder / "data"), "reload")
    for _i in range(200):  # the server reads pg_hba.conf again after the signal: until then no password is asked
        try:
            psycopg.connect(host=str(own_pg_server.folder), port=5432, user="zhang", dbname="postgres").close()
        except psycopg.OperationalError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the test server never started asking for passwords")
    return own_pg_server


def _database(server: Server, owner: str = "zhang") -> str:
    name = server.create_database()
    with _admin(server) as con:
        con.execute(f'ALTER DATABASE "{name}" OWNER TO {owner}')
    return name


def _fill(dlg, server: Server, dbname: str, user: str = "zhang", password: str = PASSWORD) -> None:
    dlg.host.setText(str(server.folder))
    dlg.port.setValue(5432)
    dlg.dbname.setText(dbname)
    dlg.user.setText(user)
    dlg.password.setText(password)


def _test(dlg, qtbot) -> str:
    dlg.test_button.click()
    qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=WAIT)
    return dlg.status.text()


def _files_holding(folder: Path, secret: str) -> list[Path]:
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            p = Path(root) / name
            if secret.encode() in p.read_bytes() or secret.encode("utf-16-le") in p.read_bytes():
                found.append(p)
    return found


def test_the_dialog_says_plainly_what_is_wrong_and_connects_only_after_a_good_test(
        started, qtbot, office_server, ring):  # noqa: F811
    from desktop.ui.server_dialog import ServerDialog

    dbname = _database(office_server)
    dlg = ServerDialog(started.ctx)
    qtbot.addWidget(dlg)
    assert dlg.keep.isEnabled() and dlg.keep.isChecked()  # a keyring: the password is kept there
    assert not dlg.ok_button.isEnabled()

    _fill(dlg, office_server, dbname, password="wrong")
    assert "refused the user name zhang or its password" in _test(dlg, qtbot)
    assert not dlg.ok_button.isEnabled() and dlg.password.hasSelectedText()

    _fill(dlg, office_server, "no_such_office")
    assert "has no database named no_such_office" in _test(dlg, qtbot)
    assert not dlg.ok_button.isEnabled()

    _fill(dlg, office_server, dbname)
    dlg.host.setText(str(office_server.folder / "nowhere"))
    assert "Cannot reach the database server" in _test(dlg, qtbot)
    assert not dlg.ok_button.isEnabled()

    _fill(dlg, office_server, dbname, user="viewer", password="viewer-pw")
    text = _test(dlg, qtbot)
    assert "is empty and the user viewer may not set it up" in text and not dlg.ok_button.isEnabled()
    dlg.accept()  # Enter pressed anyway: tests again, connects nothing
    qtbot.waitUntil(lambda: dlg.test_button.isEnabled(), timeout=WAIT)
    assert dlg.path is None and dlg.result() == 0

    _fill(dlg, office_server, dbname)
    assert "is empty: StdAward sets up its tables" in _test(dlg, qtbot)
    assert dlg.ok_button.isEnabled() and dlg.ok_button.text() == "Set up and connect"
    dlg.dbname.setText(dbname + "x")  # edited after the test: the verdict no longer holds
    assert not dlg.ok_button.isEnabled() and dlg.status.text() == ""
    dlg.dbname.setText(dbname)
    assert dlg.result_state is None

    other = office_server.create_database()
    import psycopg

    with psycopg.connect(host=str(office_server.folder), port=5432, user=office_server.superuser, dbname=other,
                         autocommit=True) as con:
        con.execute("CREATE TABLE invoices (id integer)")
        con.execute("GRANT CONNECT ON DATABASE " + f'"{other}"' + " TO zhang")
    _fill(dlg, office_server, other)
    assert "holds other tables: it is not a StdAward database" in _test(dlg, qtbot)
    assert not dlg.ok_button.isEnabled()


def test_first_run_connects_to_the_server_sets_it_up_and_opens_it_again_with_the_kept_password(
        started, qtbot, office_server, ring, tmp_path):  # noqa: F811
    from desktop.operations import servers
    from desktop.store import backend
    from desktop.ui import settings
    from desktop.ui.app import Startup, resolve_path
    from desktop.ui.context import AppContext

    dbname = _database(office_server)
    wiz = started.dialog
    wiz.customButtonClicked.emit(7)  # 「连接单位数据库服务器…」 instead of a database file on this PC
    dlg = wiz.server_dialog
    assert dlg is not None and dlg.isVisible()
    _fill(dlg, office_server, dbname)
    assert "is empty" in _test(dlg, qtbot)
    dlg.ok_button.click()
    # the wizard gives way to the server database, which is empty: its own first-run wizard
    qtbot.waitUntil(lambda: started.dialog is not None and started.dialog is not wiz, timeout=WAIT)
    path = started.ctx.db_path
    assert servers.is_server(path) and dbname in servers.describe(path)
    win = set_up_office(started, qtbot)
    assert win is not None and started.ctx.office.name == "莆田市城厢区市场监督管理局"

    # the password is in the keyring, under the address without it; in no file
    url = servers.describe(path)
    assert PASSWORD not in url and ring.kept == {("StdAward", url): PASSWORD}
    assert settings.SERVER.get() == str(path)
    win.close()
    started.window = None
    from desktop.store import db

    db.close_db()
    assert _files_holding(tmp_path, PASSWORD) == []

    # the next start, in a new process (nothing remembered but the files and the keyring)
    backend.use_password(path, None)
    assert resolve_path(type("Args", (), {"db": None, "demo": False})()) == path
    ctx = AppContext()
    exits: list[int] = []
    again = Startup(ctx, exits.append)
    again.start(path)
    qtbot.waitUntil(lambda: again.dialog is not None or again.window is not None or bool(exits), timeout=WAIT)
    assert not exits and again.dialog.objectName() == "loginDialog"  # the officers' sign-in, no password asked
    again.dialog.username.setText("lin")
    again.dialog.password.setText("correct horse")
    again.dialog.accept()
    qtbot.waitUntil(lambda: again.window is not None, timeout=WAIT)
    assert again.ctx.office.name == "莆田市城厢区市场监督管理局"
    again.window.close()
    db.close_db()


def test_without_a_keyring_the_password_is_asked_at_sign_in_and_written_nowhere(
        started, qtbot, office_server, no_ring, tmp_path):  # noqa: F811
    from desktop.operations import servers, setup
    from desktop.operations.session import Session
    from desktop.store import backend, db
    from desktop.ui import database_actions
    from desktop.ui.app import Startup
    from desktop.ui.context import AppContext
    from desktop.ui.server_dialog import ServerDialog

    dbname = _database(office_server)
    # the office on the server was set up from another PC
    s = Session.open(servers.save(str(office_server.folder), 5432, dbname, "zhang", PASSWORD, False)["path"])
    try:
        setup.set_up(s, {"name": "九龙坡区市场监督管理局", "region_code": "500107", "doc_prefix": "九市监",
                         "policy_id": None, "signatory": None}, "wang", "王芳", "correct horse")
    finally:
        s.close()
    backend.use_password(backend.connection_file(servers.address(str(office_server.folder), 5432, dbname,
                                                                 "zhang")), None)

    dlg = ServerDialog(started.ctx)
    qtbot.addWidget(dlg)
    assert not dlg.keep.isEnabled() and not dlg.keep.isChecked()
    assert "asked at each sign-in" in dlg.keep.text()
    _fill(dlg, office_server, dbname)
    assert "Connected: the database " + dbname + " of 九龙坡区市场监督管理局" in _test(dlg, qtbot)
    assert dlg.ok_button.text() == "Connect"
    dlg.ok_button.click()
    assert dlg.result() == 1 and dlg.kept is False
    path = dlg.path
    started.connect_server(path)  # what the wizard does with it
    qtbot.waitUntil(lambda: started.dialog is not None and started.dialog.objectName() == "loginDialog",
                    timeout=WAIT)
    started.dialog.username.setText("wang")
    started.dialog.password.setText("correct horse")
    started.dialog.accept()
    qtbot.waitUntil(lambda: started.window is not None, timeout=WAIT)
    win = started.window

    # File → connect: the dialog shows the server open now, the password left for the officer
    database_actions.connect_server(win)
    again = win.server_dialog
    assert (again.host.text(), again.port.value(), again.dbname.text(), again.user.text(), again.password.text()) \
        == (str(office_server.folder), 5432, dbname, "zhang", "")
    again.reject()
    win.close()
    started.window = None
    db.close_db()

    # the next start: no keyring, nothing on disk, so the server refuses and the password is asked
    backend.use_password(path, None)
    ctx = AppContext()
    exits: list[int] = []
    st = Startup(ctx, exits.append)
    st.start(path)
    qtbot.waitUntil(lambda: st.dialog is not None or bool(exits), timeout=WAIT)
    ask = st.dialog
    assert ask.objectName() == "serverPasswordDialog" and not ask.keep.isEnabled()
    assert not ask.message.isVisible() and not ask.message.text()  # the first time is no error
    ask.password.setText("wrong")
    ask.accept()
    qtbot.waitUntil(lambda: st.dialog is not ask and st.dialog is not None, timeout=WAIT)
    ask = st.dialog
    assert ask.objectName() == "serverPasswordDialog"
    assert "refused the user name zhang or its password" in ask.message.text()
    ask.password.setText(PASSWORD)
    ask.accept()
    qtbot.waitUntil(lambda: st.dialog is not None and st.dialog.objectName() == "loginDialog", timeout=WAIT)
    st.dialog.reject()
    assert exits == [0]
    db.close_db()
    assert _files_holding(tmp_path, PASSWORD) == []


def test_cancelling_the_password_ends_the_program_without_an_error_box(
        started, qtbot, office_server, no_ring):  # noqa: F811
    from desktop.operations import servers
    from desktop.store import db
    from desktop.ui.app import Startup
    from desktop.ui.context import AppContext

    dbname = _database(office_server)
    path = servers.save(str(office_server.folder), 5432, dbname, "zhang", None, False)["path"]
    st = Startup(AppContext(), (exits := []).append)
    st.start(path)
    qtbot.waitUntil(lambda: st.dialog is not None or bool(exits), timeout=WAIT)
    assert st.dialog.objectName() == "serverPasswordDialog"
    st.dialog.reject()
    assert exits == [0]
    db.close_db()


def test_file_back_up_and_restore_work_on_a_server_database(started, qtbot, office_server, ring, tmp_path):  # noqa: F811
    import psycopg

    from desktop.operations import servers
    from desktop.store import db
    from desktop.ui import database_actions as dba

    dbname = _database(office_server)
    path = servers.save(str(office_server.folder), 5432, dbname, "zhang", PASSWORD, True)["path"]
    first = started.dialog
    first.server_path = path  # what the wizard's connection dialog leaves when it connects
    first.reject()
    qtbot.waitUntil(lambda: started.dialog is not None and started.dialog is not first, timeout=WAIT)
    assert started.dialog.objectName() == "firstRunWizard"
    win = set_up_office(started, qtbot)

    def enterprises() -> list[str]:
        with psycopg.connect(host=str(office_server.folder), port=5432, user=office_server.superuser,
                             dbname=dbname) as con:
            return sorted(r[0] for r in con.execute("SELECT name FROM enterprise"))

    from desktop.operations import records

    records.save_enterprise(started.ctx.session, {"uscc": "91350302MA2Y0KXQ4Q", "name": "莆田市甲公司",
                                                  "region": "350302"})
    out = tmp_path / "U盘" / "服务器 备份.db"
    out.parent.mkdir()
    dba.backup_now(win, str(out))
    assert started.ctx.tasks.wait(WAIT)
    qtbot.waitUntil(lambda: str(out) in win.statusBar().currentMessage(), timeout=WAIT)
    assert out.is_file()
    records.save_enterprise(started.ctx.session, {"uscc": "91350100M000100Y43", "name": "莆田市乙公司",
                                                  "region": "350302"})
    assert enterprises() == ["莆田市乙公司", "莆田市甲公司"]

    dba.restore_backup(win, str(out))
    question = win.restore_question
    assert str(out) in question.text()
    next(b for b in question.buttons() if b.text() == "Restore").click()
    qtbot.waitUntil(lambda: started.dialog is not None and started.dialog.objectName() == "loginDialog",
                    timeout=WAIT)
    assert getattr(started, "restore_error", None) is None
    assert enterprises() == ["莆田市甲公司"]  # the office as it was backed up, on the server
    assert started.restored.kept is not None and started.restored.kept.is_file()  # what it replaced
    with psycopg.connect(host=str(office_server.folder), port=5432, user=office_server.superuser,
                         dbname=dbname) as con:
        last = con.execute("SELECT action, entity, \"user\" FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    assert last == ("restore", "database", "lin")
    started.dialog.reject()
    db.close_db()


def test_a_server_that_has_gone_away_offers_to_change_the_connection(started, qtbot, office_server, ring):  # noqa: F811
    from desktop.operations import servers
    from desktop.store import db
    from desktop.ui.app import Startup
    from desktop.ui.context import AppContext

    dbname = _database(office_server)
    gone = servers.save(str(office_server.folder / "moved"), 5432, dbname, "zhang", PASSWORD, True)["path"]
    st = Startup(AppContext(), (exits := []).append)
    st.start(gone)
    qtbot.waitUntil(lambda: st.dialog is not None or bool(exits), timeout=WAIT)
    box = st.dialog
    assert box.objectName() == "openError" and "database server could not be opened" in box.text()
    assert "damaged" not in box.text()  # a server that does not answer is not a damaged file
    change = next(b for b in box.buttons() if b.text() == "Change the connection...")
    change.click()
    qtbot.waitUntil(lambda: st.dialog is not box and st.dialog is not None, timeout=WAIT)
    dlg = st.dialog
    assert dlg.objectName() == "serverDialog" and dlg.host.text().endswith("moved") and dlg.dbname.text() == dbname
    dlg.host.setText(str(office_server.folder))
    dlg.password.setText(PASSWORD)
    assert "is empty" in _test(dlg, qtbot)
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: st.dialog is not None and st.dialog.objectName() == "firstRunWizard", timeout=WAIT)
    assert servers.describe(st.ctx.db_path) == servers.address(str(office_server.folder), 5432, dbname, "zhang")
    assert not exits
    st.dialog.reject()
    assert exits == [0]
    db.close_db()


def test_a_password_asked_at_sign_in_goes_to_the_keyring_only_once_the_server_took_it(
        started, qtbot, office_server, ring):  # noqa: F811
    from desktop.operations import servers
    from desktop.store import backend, db
    from desktop.ui.app import Startup
    from desktop.ui.context import AppContext

    dbname = _database(office_server)
    path = servers.save(str(office_server.folder), 5432, dbname, "zhang", None, False)["path"]
    url = servers.describe(path)
    st = Startup(AppContext(), (exits := []).append)
    st.start(path)
    qtbot.waitUntil(lambda: st.dialog is not None, timeout=WAIT)
    ask = st.dialog
    assert ask.objectName() == "serverPasswordDialog" and ask.keep.isEnabled()
    ask.password.setText("wrong")
    ask.keep.setChecked(True)
    ask.accept()
    qtbot.waitUntil(lambda: st.dialog is not ask and st.dialog is not None, timeout=WAIT)
    assert ring.kept == {}  # refused: the wrong one is not kept
    ask = st.dialog
    ask.password.setText(PASSWORD)
    ask.keep.setChecked(True)
    ask.accept()
    qtbot.waitUntil(lambda: st.dialog is not None and st.dialog.objectName() == "firstRunWizard", timeout=WAIT)
    assert ring.kept == {("StdAward", url): PASSWORD}
    assert not exits  # never an error on the way
    st.dialog.reject()
    assert exits == [0]
    backend.use_password(path, None)
    db.close_db()
