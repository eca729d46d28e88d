"""Helpers the CLI verbs share: the session over the database named by --db (signed in with --user
when the database has accounts), reading input files."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.core.errors import BadFile, StdAwardError
from desktop.core.i18n import _
from desktop.operations.quick import resolve_db_path
from desktop.operations.session import Session


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=argparse.SUPPRESS,
                        help=_("the office database (default: STDAWARD_DB or the user data folder)"))
    # accepted after the verb too (read before parsing by desktop.cli.main)
    parser.add_argument("--lang", default=argparse.SUPPRESS, help=_("language: zh_CN, zh_TW or en"))
    add_sign_in(parser)


def add_sign_in(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", default=argparse.SUPPRESS, metavar=_("NAME"),
                        help=_("sign in as this user (needed for changes when the database has accounts)"))
    parser.add_argument("--password-file", default=argparse.SUPPRESS, metavar=_("FILE"),
                        help=_("read the password from the first line of this file (for scripts); "
                               "otherwise it is asked for"))


def db_arg(args: argparse.Namespace) -> Path:
    return resolve_db_path(getattr(args, "db", None))


@contextmanager
def session(args: argparse.Namespace, create: bool = True, auto_backup: bool = True,
            check: bool = True) -> Iterator[Session]:
    """The session over ``--db``, signed in as ``--user`` when given; closed on the way out. Its
    notes (and the money-trail warnings unless ``check`` is False) go to stderr. The day's automatic
    backup runs beside the command (it never holds up the first command of the day); what it has to
    say is printed after the command's own output. On a server database the day's backup is made by
    the first PC that takes part (``backups.start_daily``), beside the command as well."""
    from desktop.operations import backups

    s = Session.open(db_arg(args), create=create, auto_backup="background" if auto_backup else False, check=check)
    for note in s.notes:  # leftovers removed, read-only use, the money trail
        print(_("note: {message}").format(message=note), file=sys.stderr)
    try:
        sign_in(s, args)
        if auto_backup:
            backups.start_daily(s)  # a server database's backup of the day, when this PC makes it
        yield s
    finally:
        notes = backups.daily_notes(s)  # waits for it: a server's reads through the session still open
        s.close()
        for note in notes:  # a daily backup that failed
            print(_("note: {message}").format(message=note), file=sys.stderr)


def sign_in(s: Session, args: argparse.Namespace) -> None:
    """Sign in as ``--user`` (or ``STDAWARD_USER``): the password from ``--password-file`` (or
    ``STDAWARD_PASSWORD_FILE``), else asked on the terminal. A user name from the environment with
    no password to go with it proves nothing: the session stays signed out, which is enough for
    reading, and every change is refused by the operations with a request to sign in."""
    import os
    import sys

    explicit = getattr(args, "user", None)
    name = explicit or os.environ.get("STDAWARD_USER")
    if not name or s.actor.implicit:
        return
    file = getattr(args, "password_file", None) or os.environ.get("STDAWARD_PASSWORD_FILE")
    if not explicit and not file and not (sys.stdin and sys.stdin.isatty()):
        return
    s.sign_in(name, read_password(file, name))


def read_password(file: str | None, name: str) -> str:
    import getpass
    import sys

    if file:
        try:
            text = Path(file).read_text("utf-8-sig")
        except OSError as exc:
            raise BadFile(_("cannot read {file}: {reason}").format(file=file, reason=exc.strerror or exc)) from None
        return text.splitlines()[0] if text else ""
    if not sys.stdin or not sys.stdin.isatty():
        raise StdAwardError(_("the password of {user} is needed: give --password-file FILE when no one can "
                              "type it").format(user=name))
    return getpass.getpass(_("Password for {user}: ").format(user=name))


def kept_note(kept: object, path: object) -> str:
    """A package or backup saved under a name a file had already: the earlier file is never
    replaced, the new one goes beside it ("name（2）.sapkg"); say so, naming both."""
    return _("note: {kept} was already there and is left as it was; this one was saved beside it as {path}").format(
        kept=kept, path=path)


def read_json(path: str | Path) -> Any:
    p = Path(path)
    try:
        text = p.read_bytes()
    except FileNotFoundError:
        raise BadFile(_("cannot read {file}: no such file").format(file=p)) from None
    except OSError as exc:
        raise BadFile(_("cannot read {file}: {reason}").format(file=p, reason=exc.strerror or exc)) from None
    try:
        return json.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BadFile(_("{file} is not UTF-8 text (is it a JSON file?)").format(file=p)) from None
    except RecursionError:
        raise BadFile(_("{file} nests lists or objects too deeply to be an input file").format(file=p)) from None
    except json.JSONDecodeError as exc:
        raise BadFile(_("{file} is not valid JSON (line {line}, column {col}: {msg})").format(
            file=p, line=exc.lineno, col=exc.colno, msg=exc.msg)) from None


def read_input(path: str | Path) -> Any:
    """A JSON file, or an .xlsx made from the program's template."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):  # an .xls is refused there, saying how to save it as .xlsx
        from desktop.operations.records import read_workbook

        return read_workbook(p)
    if p.suffix.lower() in (".xls", ".csv"):
        raise BadFile(_("{file}: only .json and .xlsx files can be loaded").format(file=p))
    return read_json(p)


def print_json(obj: Any) -> None:
    import sys

    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
