"""Enterprises, achievements and their evidence: loading files and workbooks, editing, deleting.

Every change needs ``records.edit`` (clerk or administrator), runs in one transaction and is in the
audit log under the session's user.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, ValidationFailed
from desktop.core.i18n import _
from desktop.operations.session import Session


def load(session: Session, data: Any) -> Any:
    """Validate and add the enterprises and achievements of a JSON document (or a workbook read
    with ``read_workbook``); all or nothing. Cancel (``session.progress``) rolls everything back."""
    from desktop.store import records as store

    session.require("records.edit")
    return store.load(data, user=session.username, progress=session.progress)


def load_workbook(session: Session, path: Path) -> Any:
    """Load an .xlsx made from the template, all or nothing; problems name the sheet and row."""
    from desktop.exchange.xlsx import read_workbook, strip_rows

    session.require("records.edit")
    session.progress.update(0, 0, _("Reading {file}...").format(file=path.name))
    data, where = strip_rows(read_workbook(path))
    session.progress.check()
    try:
        return load(session, data)
    except ValidationFailed as exc:
        raise ValidationFailed([Problem(where.get(p.record, p.record), p.field, p.message, p.severity)
                                for p in exc.problems]) from None


def enterprises(session: Session) -> list[dict[str, Any]]:
    """Every enterprise with its achievement count, by name."""
    from desktop.store import records as store

    return store.list_enterprises()


def achievements(session: Session, year: int | None = None, enterprise: str | None = None) -> list[Any]:
    """The achievements (vocabulary objects) of a year and/or an enterprise, by date."""
    from desktop.store import records as store

    return store.achievements(year=year, enterprise=enterprise)


def enterprise_names(session: Session, codes: Any = None) -> dict[str, str]:
    from desktop.store import records as store

    return store.enterprise_names(codes)


def install_demo(session: Session, force: bool = False) -> int:
    """Fill an empty database with the demo office and its records; the achievement count."""
    from desktop.store import demo

    session.require("records.edit")
    return demo.install(force=force, user=session.username)
