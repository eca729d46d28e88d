"""``stdaward --self-test``: every check passes on a good installation, and a broken one is named."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest

from desktop import selftest
from tests.conftest import ROOT

# the last check loads the notice PDF with QtPdf: use pytest-qt's application, as every GUI test does
pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("qapp")]


def _run() -> tuple[int, list[str]]:
    out = io.StringIO()
    code = selftest.run_self_test(out)
    return code, out.getvalue().splitlines()


def _line(lines: list[str], name: str) -> str:
    return next(ln for ln in lines if ln.split(" ", 1)[1].startswith(name + ":"))


def test_a_good_installation_passes_every_check():
    code, lines = _run()
    assert code == 0, "\n".join(lines)
    names = [name for name, _check in selftest.CHECKS]
    for name in names:
        assert _line(lines, name).startswith("✓"), lines
    assert "putian-chengxiang-2021" in _line(lines, "policies")
    assert "worked cases" in _line(lines, "policies")
    assert "uming.ttc embedded" in _line(lines, "notice")
    assert lines[-1] == f"all {len(names)} checks passed"


def test_the_officers_data_is_not_touched(tmp_path, monkeypatch):
    monkeypatch.setenv("STDAWARD_DATA", str(tmp_path / "data"))
    assert _run()[0] == 0
    assert not (tmp_path / "data").exists()


def test_missing_policies_are_named_and_later_checks_still_run(tmp_path, monkeypatch):
    from desktop.core import policies

    empty = tmp_path / "policies"
    empty.mkdir()
    monkeypatch.setattr(policies, "bundled_dir", lambda: empty)
    code, lines = _run()
    assert code == 1
    assert _line(lines, "files").startswith("✗") and "no policy files" in _line(lines, "files")
    assert _line(lines, "policies").startswith("✗")
    assert _line(lines, "database").startswith("✓")  # independent checks go on
    assert _line(lines, "QtPdf").startswith("✗") and "needs the notice PDF" in _line(lines, "QtPdf")
    assert lines[-1].endswith("checks failed")


def test_a_policy_whose_worked_case_fails_is_named(tmp_path, monkeypatch):
    from desktop.core import policies

    src = policies.bundled_dir()
    broken = tmp_path / "policies"
    shutil.copytree(src, broken)
    case = broken / "cases" / "putian-chengxiang-2021.toml"
    text = case.read_text("utf-8")
    assert 'amount = "150000"' in text
    case.write_text(text.replace('amount = "150000"', 'amount = "149999"', 1), "utf-8")
    monkeypatch.setattr(policies, "bundled_dir", lambda: broken)
    code, lines = _run()
    assert code == 1
    line = _line(lines, "policies")
    assert line.startswith("✗") and "putian-chengxiang-2021" in line


def test_a_blank_pdf_is_caught(tmp_path):
    from reportlab.pdfgen import canvas

    from desktop.ui.selfcheck import check_pdf

    blank = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(blank))
    c.showPage()
    c.save()
    assert check_pdf(blank) == (1, 0.0)
    ctx = selftest.Context(tmp_path, pdf=blank)
    with pytest.raises(RuntimeError, match="blank"):
        selftest.check_qtpdf(ctx)


def test_a_damaged_pdf_is_named(tmp_path):
    from desktop.core.errors import StdAwardError
    from desktop.ui.selfcheck import check_pdf

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    with pytest.raises(StdAwardError, match="QtPdf could not load"):
        check_pdf(bad)


def test_a_console_without_check_marks_gets_words():
    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    assert selftest._marks(gbk) == ("OK", "FAIL")
    assert selftest._marks(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) == ("✓", "✗")


def test_cli_flag_runs_it_and_survives_a_gbk_console():
    """A Windows console redirected to a file is GBK: no ✓, and ¥ cannot be written either."""
    env = dict(os.environ, PYTHONIOENCODING="gbk", STDAWARD_LANG="zh_CN")
    proc = subprocess.run([sys.executable, "-m", "desktop", "--self-test"], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    out = proc.stdout.decode("gbk")
    assert proc.returncode == 0, out + proc.stderr.decode("utf-8", "replace")
    assert out.count("OK ") == len(selftest.CHECKS) and "✓" not in out
