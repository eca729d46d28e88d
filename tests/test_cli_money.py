"""Amounts an officer reads on the command line are written like everywhere else: ¥250,000.00, not
250000.00 (the --json output keeps the contract's plain decimal strings)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_main


def test_a_rounds_total_and_lines_read_as_money(tmp_path: Path):
    db = str(tmp_path / "office.db")
    assert run_main("demo", "--db", db).returncode == 0
    r = run_main("round", "compute", "--year", "2024", "--db", db)
    assert r.returncode == 0, r.stderr
    assert re.search(r"total ¥\d{1,3}(,\d{3})*\.\d\d;", r.stdout), r.stdout
    r = run_main("round", "show", "2024", "--db", db)
    # a line's flags follow it, indented by a tab ("\t! …"): only the lines themselves carry an amount
    amounts = [line.split("\t")[3] for line in r.stdout.splitlines()[1:] if not line.startswith("\t")]
    assert amounts and all(a == "-" or re.fullmatch(r"¥\d{1,3}(,\d{3})*\.\d\d", a) for a in amounts), amounts
    shown = json.loads(run_main("round", "show", "2024", "--json", "--db", db).stdout)
    assert all(ln["amount"] is None or re.fullmatch(r"\d+\.\d\d", ln["amount"]) for ln in shown["lines"])
