"""One window per database: a second start on a database already open in this account's StdAward
brings that window forward (and hands it the file given on the command line, a .stdpkg package or
an .xlsx workbook, which it opens in its import) instead of an "already open" box.

The running window listens on a local socket (a named pipe on Windows) named after the database's
full path and the account, so a start by another account on the same database gets no answer and is
told the database is busy, as before. The second start sends one JSON line
``{"raise": true, "files": [...]}`` and waits for ``ok``; anything else (no server, no answer in
time) means "not ours": the usual message follows. QtNetwork is imported only here, after the
window's first paint or when a start finds the database busy.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.ui.qt import QObject, is_alive, network, qconnect

CONNECT_MS = 1000
REPLY_MS = 3000


def _account() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name known (a service account): the home folder stands in
        return str(Path.home())


def server_name(db_path: Path) -> str:
    """The local socket's name for ``db_path`` and this account (short: a Unix socket path is limited)."""
    full = str(Path(db_path).expanduser().resolve())
    if sys.platform == "win32":
        full = full.lower()  # one file, however its path is spelt
    digest = hashlib.sha256(f"{_account()}\0{full}".encode()).hexdigest()[:24]
    return f"stdaward-{digest}"


class InstanceServer(QObject):
    """Listens for later starts on the same database; ``on_request(files)`` runs on the UI thread."""

    def __init__(self, db_path: Path, on_request: Callable[[list[str]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        qn = network()
        self.on_request = on_request
        self.name = server_name(db_path)
        self.server = qn.QLocalServer(self)
        self.server.setSocketOptions(qn.QLocalServer.SocketOption.UserAccessOption)  # this account only
        # Only the process holding the database's writer lock gets here, so a socket left under this
        # name is a crashed instance's: remove it, or listen() fails.
        qn.QLocalServer.removeServer(self.name)
        self.listening = self.server.listen(self.name)
        self._buffers: dict[Any, bytes] = {}
        qconnect(self.server.newConnection, self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            self._buffers[sock] = b""
            qconnect(sock.readyRead, lambda s=sock: self._read(s))
            qconnect(sock.disconnected, lambda s=sock: self._forget(s))

    def _forget(self, sock: Any) -> None:
        if self._buffers.pop(sock, None) is not None and is_alive(sock):
            sock.deleteLater()

    def _read(self, sock: Any) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        if b"\n" not in data:
            self._buffers[sock] = data[-65536:]
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[sock] = b""
        try:
            msg = json.loads(line.decode("utf-8"))
            files = [str(f) for f in msg.get("files", []) if isinstance(f, str)] if isinstance(msg, dict) else []
            ok = isinstance(msg, dict) and msg.get("raise") is True
        except (ValueError, UnicodeDecodeError):
            ok, files = False, []
        sock.write(b"ok\n" if ok else b"no\n")
        sock.flush()
        if ok:
            self.on_request(files)

    def close(self) -> None:
        """Stop listening and drop the connections still open (no signal of theirs runs afterwards)."""
        for sock in list(self._buffers):
            self._buffers.pop(sock, None)
            if is_alive(sock):
                sock.blockSignals(True)
                sock.abort()
                sock.deleteLater()
        if is_alive(self.server):
            self.server.close()


def ask_running(db_path: Path, files: Sequence[str | os.PathLike[str]] = ()) -> bool:
    """Ask the window that has ``db_path`` open in this account to come forward (and open ``files``).
    True when it answered; False when nobody listens or the answer does not come in time."""
    qn = network()
    sock = qn.QLocalSocket()
    sock.connectToServer(server_name(db_path))
    if not sock.waitForConnected(CONNECT_MS):
        return False
    msg = {"raise": True, "files": [str(Path(f).expanduser().resolve()) for f in files]}
    sock.write(json.dumps(msg, ensure_ascii=False).encode("utf-8") + b"\n")
    sock.flush()
    reply = b""
    while b"\n" not in reply and sock.waitForReadyRead(REPLY_MS):
        reply += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    return reply.startswith(b"ok")
