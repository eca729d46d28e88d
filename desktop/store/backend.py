"""Which engine holds the office database, and the few things that differ between engines.

SQLite (a file path) is the default: one PC, nothing to install. PostgreSQL serves an office where
several officers share one database on the LAN: ``--db postgresql://user@host:port/dbname`` (or
``STDAWARD_DB``; a unix socket folder goes in ``?host=/run/postgresql``).

The rest of the program names a database by a path (the folders for backups, evidence and the
office's measures sit beside it). A server database is therefore named on this PC by a small
*connection file*, ``<data folder>/servers/<user>@<host>-<port>-<dbname>/office.pgdb``, which holds
the URL without its password; ``resolve`` writes it and ``desktop.store.db.open_db`` opens the
server it names. A password given in the URL is kept in this process only (never written): the
usual ``PGPASSWORD`` / ``~/.pgpass`` serve scripts.

What differs per engine, and where:
- placeholders in raw SQL: the code writes ``?``; ``desktop.store.pg`` turns them into ``%s``;
- a list parameter (``json_each`` on SQLite): ``json_values()``;
- serial numbers and the audit chain: ``serial_lock()`` and ``chain_lock()`` serialise them on
  PostgreSQL, where several officers write at once (on SQLite the writer lock already does);
- the schema version (``PRAGMA user_version`` / a one-row table), the audit triggers, backups: in
  ``desktop.store.pg``.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from desktop.core.errors import StdAwardError
from desktop.core.i18n import _

SCHEMES = ("postgresql", "postgres")
CONNECTION_SUFFIX = ".pgdb"
CONNECTION_FORMAT = "stdaward-connection"
# advisory lock keys (pg_advisory_xact_lock): one per thing that must be taken by one writer at a time
CHAIN_LOCK = 0x5354_4441_0001  # the audit chain's append
EXPORT_LOCK = 0x5354_4441_0002  # the export sequence
SCHEMA_LOCK = 0x5354_4441_0003  # upgrading the schema: one PC upgrades, the others wait and then open
SETTINGS_LOCK = 0x5354_4441_0005  # saving the office's wording templates: versions taken one at a time
YEAR_LOCK = 0x5354_4404  # with a year (two-key form): computing that year's round / editing its achievements
DAILY_BACKUP_LOCK = 0x5354_4405  # with the day (two-key form, session level): the PC making the day's backup
CHANGES_CHANNEL = "stdaward_changes"  # NOTIFY at the commit of every change the audit log records
_passwords: dict[str, str] = {}  # connection file -> password given in the URL (this process only)


def is_url(text: object) -> bool:
    return isinstance(text, str) and text.split(":", 1)[0].lower() in SCHEMES and "://" in text


def parse(url: str) -> dict[str, Any]:
    """peewee/psycopg connection parameters of a ``postgresql://`` URL; StdAwardError naming the URL
    and what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise StdAwardError(_("{url} is not a database address ({reason})").format(url=redact(url), reason=exc)) from None
    if parts.scheme.lower() not in SCHEMES:
        raise StdAwardError(_("{url} is not a PostgreSQL address (postgresql://user@host/dbname)").format(
            url=redact(url)))
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or "/" in dbname:
        raise StdAwardError(_("{url} names no database: write postgresql://user@host/dbname").format(url=redact(url)))
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    params: dict[str, Any] = {"dbname": dbname}
    host = unquote(parts.hostname or "") or query.pop("host", "")
    query.pop("host", None)
    if host:
        params["host"] = host
    if port is not None:
        params["port"] = port
    elif "port" in query:
        try:
            params["port"] = int(query.pop("port"))
        except ValueError:
            raise StdAwardError(_("{url}: the port must be a number").format(url=redact(url))) from None
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    allowed = {"sslmode", "connect_timeout", "application_name", "options", "sslrootcert", "sslcert", "sslkey"}
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise StdAwardError(_("{url}: unknown setting {name}").format(url=redact(url), name=unknown[0]))
    params.update(query)
    return params


def redact(url: str) -> str:
    """The URL without its password (for files, messages and logs)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))
    except ValueError:
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1@", url)


def _slug(params: dict[str, Any], url: str) -> str:
    host = str(params.get("host") or "localhost")
    raw = f"{params.get('user') or ''}@{host}-{params.get('port') or 5432}-{params['dbname']}"
    safe = re.sub(r"[^A-Za-z0-9._@-]+", "_", raw).strip("._")[:80]
    return f"{safe}-{hashlib.sha256(redact(url).encode()).hexdigest()[:8]}"


def connection_file(url: str, folder: Path | None = None) -> Path:
    """The connection file standing for the server database ``url`` (written when missing or changed)."""
    from desktop.store.paths import data_dir

    params = parse(url)
    target = (folder or data_dir() / "servers" / _slug(params, url)) / ("office" + CONNECTION_SUFFIX)
    body = json.dumps({"format": CONNECTION_FORMAT, "url": redact(url)}, ensure_ascii=False, indent=1)
    try:
        if not target.is_file() or target.read_text("utf-8") != body:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, "utf-8")
    except OSError as exc:
        raise StdAwardError(_("cannot write {path}: {reason}").format(path=target, reason=exc)) from None
    if "password" in params:
        _passwords[str(target.resolve())] = params["password"]
    return target.resolve()


def is_connection_file(path: Path | str) -> bool:
    return Path(path).suffix == CONNECTION_SUFFIX


def read_connection(path: Path) -> dict[str, Any]:
    """The connection parameters a connection file names (with the password given this process)."""
    try:
        found = json.loads(Path(path).read_text("utf-8"))
        url = found["url"] if found.get("format") == CONNECTION_FORMAT else None
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise StdAwardError(_("{path} is not a server connection file ({reason})").format(path=path, reason=exc)) from None
    if not is_url(url):
        raise StdAwardError(_("{path} is not a server connection file").format(path=path))
    params = parse(url)
    password = _passwords.get(str(Path(path).resolve()))
    if password is None and "password" not in params:
        from desktop.store.servers import remembered

        password = remembered(url)  # kept in the OS keyring by the connection dialog
    if password is not None:
        params["password"] = password
    return params


def use_password(path: Path, password: str | None) -> None:
    """Connect to the server database of the connection file ``path`` with ``password`` from now on,
    in this process only (asked at sign-in; None forgets it)."""
    key = str(Path(path).resolve())
    if password is None:
        _passwords.pop(key, None)
    else:
        _passwords[key] = password


def describe(path: Path) -> str:
    """What to call the database at ``path`` in a message: the server address, or the file."""
    if is_connection_file(path):
        try:
            return str(json.loads(Path(path).read_text("utf-8"))["url"])
        except (OSError, ValueError, KeyError, TypeError):
            return str(path)
    return str(path)


# ------------------------------------------------------------------ per-engine pieces of SQL and locking

def imported(module: str, name: str) -> Any:
    """``name`` of ``module`` if the module is imported far enough to have it, else None: never
    imports it. Another thread may be importing it right now, and ``sys.modules`` holds a module
    before its names exist (a worker binding the models while the window closes)."""
    return getattr(sys.modules.get(module), name, None)


def is_postgres() -> bool:
    """Is the open database a PostgreSQL one?"""
    is_bound = imported("desktop.store.pg", "is_bound")
    return is_bound is not None and is_bound()


def stream(sql: str, params: Any = (), size: int = 5000, *, binary: bool = False) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a raw ``sql`` (``?`` placeholders) ``size`` at a time, without its whole result in
    this process's memory: on SQLite the ordinary cursor steps through it; on PostgreSQL a
    server-side cursor inside a transaction (``desktop.store.pg.stream``; ``binary`` there reads
    bytea as bytes in the binary format). Consume it inside the transaction that should see it."""
    if is_postgres():
        from desktop.store import pg

        yield from pg.stream(sql, params, size, binary)
        return
    from desktop.store.models import database

    cur = database.execute_sql(sql, params or ())
    while rows := cur.fetchmany(size):
        yield rows


@contextmanager
def snapshot() -> Iterator[None]:
    """A transaction reading the database as of one moment. SQLite's is (its snapshot is taken at
    the first read); a server's default reads each statement as of its own start, so an officer's
    edit committed between two statements of one reading would be seen by the second only: there
    the transaction reads as of its first statement (REPEATABLE READ), when it is not already inside
    another."""
    from desktop.store.models import database

    outer = database.in_transaction()
    with database.atomic():
        if is_postgres() and not outer:
            database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def json_values() -> str:
    """A subquery giving the values of a JSON array parameter (``x IN (…)`` with one parameter)."""
    if is_postgres():
        return "SELECT value FROM jsonb_array_elements_text(CAST(? AS jsonb))"
    return "SELECT value FROM json_each(?)"


def json_item(column: str, index: int) -> str:
    """The element ``index`` of the JSON array held as text in ``column``, as text (NULL for a JSON
    null), in the engine's own functions. The column must hold JSON (see ``json_valid``)."""
    if is_postgres():
        return f"(CAST({column} AS jsonb) ->> {int(index)})"
    return f"json_extract({column}, '$[{int(index)}]')"


def json_valid(column: str) -> str:
    """A condition true when ``column`` holds a JSON array (the natural keys the program writes). On
    PostgreSQL before 16 there is no test that cannot fail, so the text must open as an array."""
    if is_postgres():
        return f"(left({column}, 1) = '[' AND right({column}, 1) = ']')"  # no '%': it would clash with placeholders
    return f"json_valid({column})"


# what Python's str.split() takes for white space (Chinese text has the ideographic space U+3000)
_WS_CLASS = "[[:space:]\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\u001c-\\u001f]+"


def collapse_space(column: str) -> str:
    """``column``'s text with its runs of white space as one space and none at the ends, NULL when
    nothing is left (as ``" ".join(text.split()) or None``). On SQLite the function
    ``stdaward_ws`` must be registered on the connection (``desktop.exchange.consolidate``)."""
    if is_postgres():
        return f"NULLIF(btrim(regexp_replace({column}, '{_WS_CLASS}', ' ', 'g')), '')"
    return f"stdaward_ws({column})"


def year_of(column: Any) -> Any:
    """The year of a date column as text ('2025'), in the engine's own function."""
    from peewee import fn

    return fn.to_char(column, "YYYY") if is_postgres() else fn.strftime("%Y", column)


def _advisory(key: int) -> None:
    from desktop.store.models import database

    database.execute_sql("SELECT pg_advisory_xact_lock(?)", (key,))


@contextmanager
def _locked(key: int) -> Iterator[None]:
    from desktop.store.models import database

    with database.atomic():  # the lock lasts until this transaction (or the one around it) ends
        _advisory(key)
        yield


def year_lock(*years: int, shared: bool = False) -> None:
    """PostgreSQL: hold (until the transaction ends) the lock of each year: exclusive while a round is
    computed from that year's achievements, shared while an officer changes or deletes one of them.
    So an achievement is never changed between being read for a round and the round being stored
    (the change either comes first and is computed, or finds the round and is refused), and two
    officers computing the same year make one round. Nothing on SQLite (one writer at a time).
    Call inside a transaction."""
    if not is_postgres():
        return
    from desktop.store.models import database

    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    for year in sorted({int(y) for y in years}):  # always in the same order: no deadlock between two officers
        database.execute_sql(f"SELECT {fn}(?, ?)", (YEAR_LOCK, year))


def notify_change(user: str) -> None:
    """PostgreSQL: tell every PC listening (``LISTEN stdaward_changes``) that this transaction changes
    something, once it commits (the server holds a NOTIFY until the commit and drops it at a
    rollback, so a listener never hears of a change it cannot yet read). Nothing on SQLite."""
    if not is_postgres():
        return
    from desktop.store.models import database

    database.execute_sql("SELECT pg_notify(?, ?)", (CHANGES_CHANNEL, user[:200]))


def chain_lock() -> Any:
    """Hold while reading the audit chain's last hash and appending after it: on PostgreSQL two
    officers' entries never take the same previous hash (the chain never forks). Nothing on SQLite,
    where the writer lock lets one process write at a time."""
    return _locked(CHAIN_LOCK) if is_postgres() else nullcontext()


def settings_lock() -> Any:
    """Hold while reading a wording template's version and saving the next (PostgreSQL): two
    administrators saving at once never both take the same number."""
    return _locked(SETTINGS_LOCK) if is_postgres() else nullcontext()


def export_lock() -> Any:
    """Hold while taking the next export sequence number and recording it (PostgreSQL)."""
    return _locked(EXPORT_LOCK) if is_postgres() else nullcontext()
