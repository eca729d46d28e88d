"""A write refused by the disk is told in the officer's words and names the file the officer chose,
never the hidden temporary one the program writes first (".县局-2026.stdpkg.part")."""
from __future__ import annotations

import errno
import os

from desktop.core import failures
from desktop.store.atomic import temp_path


def test_a_refused_temporary_file_is_named_by_the_file_it_becomes(tmp_path):
    final = tmp_path / "莆田市城厢区市场监督管理局2025年度报送回执.stdpkg"
    exc = OSError(errno.EROFS, os.strerror(errno.EROFS), str(temp_path(final)))
    assert failures.classify(exc) == (failures.READ_ONLY, str(final))
    text = failures.message(*failures.classify(exc))  # type: ignore[misc]
    assert str(final) in text and ".part" not in text


def test_a_refused_pdf_is_named_by_the_file_chosen_not_its_temporary_name(tmp_path):
    """A PDF is written to ".NAME.<pid>.part" first (letters of refusal to a write-protected stick)."""
    final = tmp_path / "2025年度不予奖补告知书.pdf"
    exc = OSError(errno.EROFS, os.strerror(errno.EROFS), str(final.with_name(f".{final.name}.13327.part")))
    assert failures.classify(exc) == (failures.READ_ONLY, str(final))


def test_a_file_that_only_looks_temporary_keeps_its_name(tmp_path):
    odd = tmp_path / "report.part"  # not hidden: not one of the program's temporary names
    exc = OSError(errno.EACCES, os.strerror(errno.EACCES), str(odd))
    assert failures.classify(exc) == (failures.PERMISSION, str(odd))
