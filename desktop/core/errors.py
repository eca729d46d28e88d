"""Errors that reach the user: each names the record and the field it is about."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) with one field of one record."""

    record: str  # the record's id as the user knows it (achievement id, row number, USCC...)
    field: str  # the field name in the vocabulary ("enterprise", "rank", ...)
    message: str  # already translated, in the user's language
    severity: str = "error"  # "error" blocks; "warning" is shown but does not block

    def __str__(self) -> str:
        from desktop.core.i18n import colon

        return f"{self.record} · {self.field}{colon()}{self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"record": self.record, "field": self.field, "message": self.message,
                "severity": self.severity}


class StdAwardError(Exception):
    """Base of errors the program reports to the user with a one-line reason (exit code 1)."""


@dataclass
class ValidationFailed(StdAwardError):
    """Bad input: every problem found, each naming its record and field (exit code 2)."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems if p.severity == "error")


class BadFile(StdAwardError):
    """An input file that cannot be read at all (missing, not JSON, not a workbook): exit code 2."""

    exit_code = 2


class DatabaseBusy(StdAwardError):
    """Another StdAward process holds the database for writing."""


class SchemaTooNew(StdAwardError):
    """The database was written by a newer StdAward."""


class DatabaseDamaged(StdAwardError):
    """The database file is damaged (SQLite reports a malformed image or no database at all). The
    message names the file and the newest good backup to restore."""

    def __init__(self, message: str, path: object = None, backup: object = None) -> None:
        super().__init__(message)
        self.path = path
        self.backup = backup


class UnreadableValue(StdAwardError, ValueError):
    """A stored value the program cannot have written (the database edited outside it). A
    ValueError too, as the JSON error it replaces: a check that reads such values and reports them
    (the audit log's) goes on as before."""


class StaleRecord(StdAwardError):
    """Another officer changed (or removed) the record since this one loaded it: nothing was written.
    The message names the record, who changed it and when; reload it and make the change again."""

    def __init__(self, message: str, entity: str = "", key: str | None = None, by: str | None = None) -> None:
        super().__init__(message)
        self.entity = entity
        self.key = key
        self.by = by


class ServerRefused(StdAwardError):
    """A database server could not be used from this PC: ``kind`` says why (``password``: the user
    name or password was refused, ``unreachable``, ``no_database``, ``not_allowed``, ``not_ours``,
    ``too_new``, ``too_old``); the message is the officer's sentence."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind
