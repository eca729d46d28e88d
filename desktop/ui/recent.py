"""File → 最近打开的数据库: the last databases this officer opened on this computer, newest first.

Up to ``MAX_RECENT`` entries, each named by its office and its folder (a database file) or by its
connection name (a PostgreSQL server connection, whose address is kept without any password). A file
no longer there is shown greyed, marked 「文件不存在」, and the menu offers to remove such entries.
The list is kept in the per-computer settings (``settings.RECENT_DATABASES``) and updated whenever a
database opens (``Startup`` calls ``opened``). Choosing an entry opens it the way File → Open does.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from desktop.core.i18n import _
from desktop.ui import settings
from desktop.ui.qt import QMenu, qconnect

MAX_RECENT = 8
FILE, SERVER = "file", "server"

# Set by the server-connection dialog's module: opens a saved connection by its name in ``window``.
# Until one is set, a server entry says so in the status bar instead.
SERVER_OPENER: Callable[[Any, str], None] | None = None


@dataclass(frozen=True)
class Recent:
    kind: str  # FILE or SERVER
    target: str  # the database file's path, or the server address without a password
    office: str = ""  # the office's name as last seen
    name: str = ""  # a server connection's name

    def available(self) -> bool:
        return self.kind == SERVER or Path(self.target).is_file()

    def label(self) -> str:
        if self.kind == SERVER:
            text = _("{name} (server connection)").format(name=self.name or self.office)
            return f"{text} · {self.office}" if self.office and self.office != self.name else text
        path = Path(self.target)
        folder = str(path.parent)
        office = self.office or path.stem
        if not self.available():
            return _("{office} — {folder} (file not found)").format(office=office, folder=folder)
        return _("{office} — {folder}").format(office=office, folder=folder)

    def same(self, other: Recent) -> bool:
        if self.kind != other.kind:
            return False
        if self.kind == SERVER:
            return (self.name or self.target) == (other.name or other.target)
        return _file_key(self.target) == _file_key(other.target)


def _file_key(path: str) -> str:
    try:
        return str(Path(path).resolve()).casefold()  # Windows names ignore case
    except OSError:
        return path.casefold()


def without_password(url: str) -> str:
    """A server address with its password removed: the list is stored in a plain settings file."""
    try:
        parts = urlsplit(url)
        if "@" not in parts.netloc:
            return url
        userinfo, host = parts.netloc.rsplit("@", 1)
        return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}@{host}"))
    except ValueError:
        return url.split("@", 1)[-1]


# ---------------------------------------------------------------- the stored list
def entries() -> list[Recent]:
    """The remembered databases, newest first (unreadable entries are skipped)."""
    out: list[Recent] = []
    for raw in settings.RECENT_DATABASES.get():
        try:
            data = json.loads(raw) if isinstance(raw, str) and raw.startswith("{") else {"kind": FILE, "target": str(raw)}
            entry = Recent(kind=str(data["kind"]), target=str(data["target"]), office=str(data.get("office", "")),
                           name=str(data.get("name", "")))
        except (ValueError, KeyError, TypeError):
            continue
        if entry.kind in (FILE, SERVER) and entry.target and not any(entry.same(e) for e in out):
            out.append(entry)
    return out[:MAX_RECENT]


def _store(items: list[Recent]) -> None:
    settings.RECENT_DATABASES.set([json.dumps(asdict(e), ensure_ascii=False) for e in items[:MAX_RECENT]])


def remember(entry: Recent) -> None:
    """Put ``entry`` first (an earlier entry for the same database goes), keeping ``MAX_RECENT``."""
    if entry.kind == SERVER:
        entry = Recent(SERVER, without_password(entry.target), entry.office, entry.name)
    _store([entry, *(e for e in entries() if not e.same(entry))])


def remember_file(path: Path, office: str) -> None:
    remember(Recent(FILE, str(Path(path).absolute()), office))


def remember_server(name: str, url: str, office: str) -> None:
    remember(Recent(SERVER, url, office, name))


def forget(entry: Recent) -> None:
    _store([e for e in entries() if not e.same(entry)])


def forget_missing() -> int:
    """Remove the entries whose file is gone; how many went."""
    items = entries()
    kept = [e for e in items if e.available()]
    _store(kept)
    return len(items) - len(kept)


def opened(ctx: Any) -> None:
    """A database has opened in the window: it goes to the top of the list (the demo does not)."""
    if ctx.db_path is None or ctx.demo:
        return
    from desktop.operations import servers

    office = ctx.quick_office
    if office is None:
        try:
            profile = ctx.office
        except Exception:  # noqa: BLE001 - a database still being set up or switched: listed without its name
            profile = None
        office = profile.name if profile is not None else ""
    if servers.is_server(ctx.db_path):  # a server: named by its address (its connection file holds no password)
        url = servers.describe(Path(ctx.db_path))
        remember_server(url.split("://", 1)[-1], url, office or "")
        return
    remember_file(Path(ctx.db_path), office or "")


# ---------------------------------------------------------------- the menu
def add_menu(parent: QMenu, window: Any) -> QMenu:
    """The 最近打开的数据库 submenu in ``parent``, filled afresh each time it opens."""
    menu = parent.addMenu(_("Recent databases"))
    menu.setObjectName("recentDatabases")
    qconnect(menu.aboutToShow, lambda: fill(menu, window))
    fill(menu, window)
    return menu


def fill(menu: QMenu, window: Any) -> None:
    menu.clear()
    items = entries()
    if not items:
        none = menu.addAction(_("No databases opened yet"))
        none.setEnabled(False)
        return
    for i, entry in enumerate(items):
        act = menu.addAction(f"&{i + 1} " + entry.label().replace("&", "&&"))
        act.setToolTip(entry.target if entry.kind == FILE else entry.name)
        act.setEnabled(entry.available())
        qconnect(act.triggered, lambda _c=False, e=entry: open_entry(window, e))
    menu.addSeparator()
    if any(not e.available() for e in items):
        prune = menu.addAction(_("Remove missing files from the list"))
        qconnect(prune.triggered, lambda _c=False: forget_missing())
    clear = menu.addAction(_("Clear the list"))
    qconnect(clear.triggered, lambda _c=False: _store([]))


def _open_server(window: Any, entry: Recent) -> None:
    """A remembered server: its connection opens as File → Connect opens it (the password from the
    keyring, or asked at sign-in)."""
    from desktop.operations import servers

    startup = getattr(window, "startup", None)
    if startup is None or not window.ctx.tasks.idle:
        window.statusBar().showMessage(_("Wait for the running work to finish, then connect to the server."), 10000)
        return
    try:
        conn = servers.connection_for(entry.target)
    except Exception as exc:  # noqa: BLE001 - a bad remembered address or an unwritable data folder: said
        window.statusBar().showMessage(str(exc), 10000)
        return
    if window.ctx.db_path is not None and str(window.ctx.db_path) == str(conn):
        window.statusBar().showMessage(_("This database is already open."), 5000)
        return
    startup.connect_server(conn)


def open_entry(window: Any, entry: Recent) -> None:
    """Open a remembered database the way File → Open does (the current one is left as it is)."""
    if entry.kind == SERVER:
        if SERVER_OPENER is not None:
            SERVER_OPENER(window, entry.name)
        else:
            _open_server(window, entry)
        return
    if not entry.available():
        window.statusBar().showMessage(_("{path}: the file is not there any more.").format(path=entry.target), 10000)
        return
    current = window.ctx.db_path
    if current is not None and not window.ctx.demo and _file_key(str(current)) == _file_key(entry.target):
        window.statusBar().showMessage(_("This database is already open."), 5000)
        return
    from desktop.ui import database_actions

    database_actions.open_other(window, entry.target)
