"""``compute --json`` writing its awards to an output that fails: a full disk where the output goes, or
no output at all. The officer is told that the output is incomplete and why, never that the
database's disk is full (it is not, and "nothing half-written was kept" is false of the output),
with exit status 1 and no traceback; a reader that stops early (``| head``) is not an error."""
from __future__ import annotations

import errno
import io
import json
import sys

import pytest

from tests.conftest import GOOD_USCC, run_cli, std
from tests.conftest_pg import pg_server  # noqa: F401  (the office_db fixture's server)
from tests.test_cli_engine import write

ARGS = ["compute", "--policy", "putian-chengxiang-2021", "--json"]


class _Failing(io.StringIO):
    """An output whose writes fail from the ``after``-th on with ``error``."""

    def __init__(self, after: int, error: OSError) -> None:
        super().__init__()
        self.after, self.error, self.n = after, error, 0

    def write(self, s: str) -> int:
        self.n += 1
        if self.n >= self.after:
            raise self.error
        return super().write(s)


class _Kept(io.StringIO):
    def close(self) -> None:  # (``main`` closes its error stream after a broken pipe: read after)
        pass


def _main(argv: list[str], out) -> tuple[int, str]:
    from desktop import cli

    err = _Kept()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(argv)
    finally:
        sys.stdout, sys.stderr = saved
    return code, err.getvalue()


@pytest.fixture
def office(office_db, tmp_path, monkeypatch):
    """A year of 12 records on SQLite and on a server, read 5 at a time."""
    from desktop.store import rounds as store_rounds

    db = office_db
    achievements = [std(id=f"s{i}", date="2022-03-01", ref=f"GB/T {40000 + i}-2022") for i in range(12)]
    data = {"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司"}], "achievements": achievements}
    assert run_cli("load", write(tmp_path, "load.json", data), "--db", db).returncode == 0
    monkeypatch.setattr(store_rounds, "READ_BATCH", 5)
    return db


@pytest.mark.parametrize("after", [1, 2, 3])
def test_a_full_disk_where_the_output_goes_is_said_and_the_database_is_not_blamed(office, monkeypatch, after):
    from desktop.commands import engine

    real = engine.write_awards_json
    monkeypatch.setattr(engine, "write_awards_json", lambda results, chunk=5000: real(results, chunk=4))
    out = _Failing(after, OSError(errno.ENOSPC, "No space left on device"))
    code, err = _main([*ARGS, "--year", "2022", "--db", office], out)
    assert code == 1
    assert "output" in err and "incomplete" in err and "full" in err, err
    assert office not in err and "database" not in err and "unexpected" not in err and "Traceback" not in err, err
    with pytest.raises(json.JSONDecodeError):  # what was written never reads as a whole array
        json.loads(out.getvalue())


def test_a_command_started_with_its_output_closed_says_so(office):
    code, err = _main([*ARGS, "--year", "2022", "--db", office], None)
    assert code == 1 and "output is closed" in err and "unexpected" not in err, err


def test_a_reader_that_stops_early_is_not_an_error(office, monkeypatch):
    """(``| head``: the pipe closed while the year is still being read)"""
    from desktop.commands import engine

    real = engine.write_awards_json
    monkeypatch.setattr(engine, "write_awards_json", lambda results, chunk=5000: real(results, chunk=4))
    code, err = _main([*ARGS, "--year", "2022", "--db", office], _Failing(2, BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert code == 0 and "unexpected" not in err, err
