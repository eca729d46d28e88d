"""Helpers the CLI verbs share: opening the database named by --db, reading input files."""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from desktop.core.errors import BadFile, StdAwardError
from desktop.core.i18n import _
from desktop.store.db import close_db, open_db
from desktop.store.paths import resolve_db_path


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=argparse.SUPPRESS,
                        help=_("the office database (default: STDAWARD_DB or the user data folder)"))
    # accepted after the verb too (read before parsing by desktop.cli.main)
    parser.add_argument("--lang", default=argparse.SUPPRESS, help=_("language: zh_CN, zh_TW or en"))


def db_arg(args: argparse.Namespace) -> Path:
    return resolve_db_path(getattr(args, "db", None))


@contextmanager
def database(args: argparse.Namespace, create: bool = True) -> Iterator[Path]:
    from desktop.store import db as dbmod

    path = db_arg(args)
    open_db(path, create=create)
    for note in dbmod.open_notes:  # leftovers removed, a daily backup that failed, read-only use
        print(_("note: {message}").format(message=note), file=sys.stderr)
    try:
        yield path
    finally:
        close_db()


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
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from desktop.exchange.xlsx import read_workbook

        return read_workbook(p)
    if p.suffix.lower() in (".xls", ".csv"):
        raise BadFile(_("{file}: only .json and .xlsx files can be loaded").format(file=p))
    return read_json(p)


def require_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise StdAwardError(_("no such file: {file}").format(file=p))
    return p


def print_json(obj: Any) -> None:
    import sys

    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
