"""A throwaway PostgreSQL server for the tests of the shared store.

``pg_server`` (one per test process, shared by its modules; ``own_pg_server``: one for a module of
its own) runs ``initdb`` into a temporary folder and starts the server on a unix socket in that
folder (no TCP port: ``listen_addresses=''``), so nothing outside the test can reach it. PostgreSQL refuses to run as root: when the tests run as root (CI containers),
the folder is given to an unprivileged account (``postgres`` or ``nobody``) and the server runs as
that account. ``pg_url`` gives each test module its own empty database on that server.

The tests are skipped, saying why, only when no PostgreSQL server binaries are installed (Debian:
``apt-get install postgresql``) or psycopg is missing; any other failure to start is an error.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PORT = 5432  # only names the socket file: the server listens on no TCP port


def _bin_dir() -> Path | None:
    for candidate in [os.environ.get("PG_BIN", ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        if candidate and (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def _run_as() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and there is no unprivileged account (postgres, nobody) for the server")


@dataclass
class Server:
    bin: Path
    folder: Path
    superuser: str
    account: pwd.struct_passwd | None

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / argv[0]), *argv[1:]]
        kw: dict = {}
        if self.account is not None:
            account = self.account
            kw["user"], kw["group"], kw["extra_groups"] = account.pw_uid, account.pw_gid, []
            kw["env"] = {**os.environ, "HOME": str(self.folder), "USER": account.pw_name}
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120, cwd=self.folder, **kw)

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.superuser}@/{dbname}?host={self.folder}&port={PORT}"

    def create_database(self, prefix: str = "office") -> str:
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(host=str(self.folder), port=PORT, user=self.superuser, dbname="postgres",
                             autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.folder), port=PORT, user=self.superuser, dbname="postgres",
                             autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server(bin_dir: Path, *, durable: bool = False) -> Server:
    """initdb into a new temporary folder and start the server on a unix socket there (as an
    unprivileged account when we are root). ``stop_server`` removes it all. Tests skip fsync;
    ``durable`` keeps it (benchmarks, to compare with SQLite's ``synchronous=FULL``)."""
    account = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="stdaward-pg-"))
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
    superuser = account.pw_name if account is not None else pwd.getpwuid(os.geteuid()).pw_name
    server = Server(bin_dir, folder, superuser, account)
    try:
        server.run("initdb", "-D", str(folder / "data"), "-U", superuser, "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8")
        opts = f"-k {folder} -p {PORT} -c listen_addresses='' -c max_connections=40"
        opts += "" if durable else " -c fsync=off"
        started = server.run("pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-o", opts, "-w",
                             "start", check=False)
        if started.returncode != 0:
            log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
            raise RuntimeError(f"the test PostgreSQL server did not start: {started.stderr}\n{log}")
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server) -> None:
    if (server.folder / "data").exists():
        server.run("pg_ctl", "-D", str(server.folder / "data"), "-m", "immediate", "-w", "stop", check=False)
    shutil.rmtree(server.folder, ignore_errors=True)


@contextlib.contextmanager
def benchmark_server() -> Iterator[Server]:
    """A throwaway server for one benchmark run, durable as an office's is (fsync on), removed after;
    without PostgreSQL's binaries the run stops with a sentence saying what to install."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    server = start_server(bin_dir, durable=True)
    try:
        yield server
    finally:
        stop_server(server)


def serve() -> Iterator[Server]:
    """A test server for as long as the generator is open (a fixture's body): skipped, saying why,
    without psycopg or the server binaries."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    server = start_server(bin_dir)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def pg_server(pg_cluster: Server) -> Server:
    """The test process's server (``pg_cluster`` in conftest.py: started at its first use, one per
    process, so one per worker of a parallel run): each test makes the databases it uses on it and
    drops them. A module that changes the server itself (roles' sign-in rules) uses ``own_pg_server``."""
    return pg_cluster


@pytest.fixture(scope="module")
def own_pg_server() -> Iterator[Server]:
    """A server of the module's own, removed after it: for changes to the server's configuration."""
    yield from serve()


@pytest.fixture(scope="module")
def pg_url(pg_server: Server) -> Iterator[str]:
    """An empty database of its own for a test module, dropped afterwards."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


@contextlib.contextmanager
def window_on_server(qtbot: Any, server: Server, **open_args: Any) -> Iterator[tuple[Any, str]]:
    """A window on an office on a fresh database of ``server`` (no accounts: its one user is the
    administrator), not yet shown, with the database's address; closed and dropped afterwards."""
    from desktop.store import office
    from desktop.store.db import close_db, open_db
    from desktop.store.paths import resolve_db_path
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    name = server.create_database()
    url = server.url(name)
    path = resolve_db_path(url)
    open_db(path, **open_args)
    try:
        make_app()
        office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                      policy_id="quanzhou-2012", signatory="莆田市城厢区市场监督管理局", user="tester")
        ctx = AppContext(path)
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        yield win, url
        ctx.tasks.wait()
        win.close()
    finally:
        close_db()
        server.drop_database(name)
