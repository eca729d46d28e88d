"""The natural key's standard part worked out without a full parse where the number is already in
its normal form (``standards.standard_key``): always the key the full parse gives."""
from __future__ import annotations

import itertools
import random

from desktop.core.standards import parse_standard_number, standard_key


def _parsed_key(text: str) -> str:
    sn = parse_standard_number(text)
    return sn.key if sn else " ".join(text.split()).upper()


PREFIXES = ["GB", "GB/T", "GB/Z", "GJB", "GJB/Z", "DB35", "DB3505/T", "DB35/Z", "T/ZZB", "T/CAS", "QB/T", "JGJ/T",
            "Q/XXX", "ISO", "gb/t", "ＧＢ／Ｔ", "GB/X", "T/A", "T/ABCDEFGHIJKLM", "DB3", "G"]
NUMBERS = ["1", "19001", "9001C", "A12", "1.1", "60335-1", "1.2-3", "١٢", "１２", "D60", "", "0"]
YEARS = ["2024", "0999", "1999", "202", "20245", "２０２４", "2024/XG1-2019"]
SEPARATORS = [(" ", "-"), ("", "-"), ("  ", "-"), (" ", "—"), (" ", " - "), (" ", ":"), ("\u3000", "-")]


def test_standard_key_is_the_parsed_key_for_every_shape() -> None:
    checked = 0
    for prefix, number, year, (space, dash) in itertools.product(PREFIXES, NUMBERS, YEARS, SEPARATORS):
        text = f"{prefix}{space}{number}{dash}{year}"
        for variant in (text, text.lower(), f" {text}", f"{text} ", f"{text}\n"):
            assert standard_key(variant) == _parsed_key(variant), variant
            checked += 1
    assert checked > 10000


def test_standard_key_on_random_text_near_the_normal_form() -> None:
    rng = random.Random(20261203)
    alphabet = "GBTZJDQ/ -—0123456789.:XCA１／　"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        assert standard_key(text) == _parsed_key(text), text


def test_a_number_in_its_normal_form_is_its_own_key() -> None:
    for text in ("GB/T 19001-2016", "DB35/T 1234-2021", "T/ZZB 0001-2017", "GJB 9001C-2017"):
        assert standard_key(text) == text == parse_standard_number(text).text  # type: ignore[union-attr]
    # not in its normal form: the parse's key, never the text as given
    assert standard_key("gb/t  19001—2016") == "GB/T 19001-2016"
    assert standard_key("GB/T 19001-2016/XG1 - 2019") == "GB/T 19001-2016/XG1-2019"
