"""No translatable text hides inside an f-string: on Python 3.11 an f-string is one token to babel's
extractor, so a ``_("...")`` inside its braces never reaches the catalogue and the officer reads it
in English on a Chinese screen (the policies view once showed "Funds" and "Rules" that way)."""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALL = re.compile(r"""\b_\(\s*['"]""")


def hidden_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.STRING:
            continue
        prefix = re.match(r"[A-Za-z]*", tok.string).group().lower()
        if "f" in prefix and CALL.search(tok.string):
            found.append((tok.start[0], tok.string[:80]))
    return found


def test_the_check_finds_a_call_in_an_f_string():
    assert hidden_calls("x = f\"<h3>{escape(_('Funds'))}</h3>\"\n") != []
    assert hidden_calls("title = _('Funds')\nx = f'<h3>{title}</h3>'\n") == []


def test_no_translatable_text_inside_an_f_string():
    bad = [f"{path.relative_to(ROOT)}:{line}: {text}" for path in sorted((ROOT / "desktop").rglob("*.py"))
           for line, text in hidden_calls(path.read_text("utf-8"))]
    assert bad == [], "move the _() call out of the f-string so the catalogue sees it:\n" + "\n".join(bad)
