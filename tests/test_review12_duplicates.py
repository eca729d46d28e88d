"""The duplicate check against what DESIGN says a duplicate is (``Achievement.identity()``): two paid
or payable claims of one enterprise with the same identity are one achievement, however the number
was typed (full-width characters from a Chinese input method, a non-breaking space pasted from a
web page, other dashes, lower case)."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from desktop.core.engine import compute
from desktop.core.policies import load_policy
from desktop.core.vocabulary import Achievement

USCC = "91350100M000100Y43"
NUMBERS = ["GB/T 20001-2014", "GB/T 20001.1-2014", "DB35/T 1234-2020", "T/FJAS 001-2021"]


@pytest.fixture(scope="module")
def policy():
    return load_policy("putian-chengxiang-2021")


def _typed(number: str, rng: random.Random) -> str:
    """``number`` as an officer might type or paste it (same standard number)."""
    out = []
    for ch in number:
        c = rng.random()
        if ch == " " and c < 0.3:
            continue
        if ch == " " and c < 0.5:
            out.append(rng.choice(["\u3000", "\xa0", "  "]))
        elif ch == "-" and c < 0.4:
            out.append(rng.choice(["—", "–", "‐", "－"]))
        elif ch.isascii() and ch.isalnum() and c < 0.2:
            out.append(chr(ord(ch) + 0xFEE0))  # full width
        elif ch.isalpha() and c < 0.4:
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


def _standard(i: int, ref: str, action: str = "formulate", title: str | None = None) -> Achievement:
    return Achievement(id=f"a{i}", enterprise=USCC, kind="standard", date=dt.date(2022, 3, 1), ref=ref,
                       title=title, level="national", action=action, rank=1)


@pytest.mark.parametrize("first,second", [
    ("GB/T 20001-2014", "ＧＢ／Ｔ　２０００１－２０１４"),  # typed with a full-width input method
    ("GB/T 20001-2014", "GB/T\xa020001-2014"),  # a non-breaking space pasted from a web page
    ("T/FJAS 001-2021", "Ｔ/FJAS 001-2021"),
])
def test_the_same_number_typed_in_full_width_or_with_a_pasted_space_is_a_duplicate(policy, first, second):
    out = compute(policy, [_standard(1, first, title="茶叶加工技术规范"), _standard(2, second)])
    assert out[0].status != "duplicate"
    assert out[1].status == "duplicate", (second, out[1].status)
    assert f"《茶叶加工技术规范》{first}" in out[1].explanation  # the earlier claim, as it was entered


def test_a_number_awarded_in_an_earlier_round_typed_in_full_width_is_a_duplicate(policy):
    earlier = _standard(1, "GB/T 20001-2014")
    out = compute(policy, [_standard(2, "ＧＢ／Ｔ　２０００１－２０１４")], prior={earlier.identity(): "a1"})
    assert out[0].status == "duplicate", out[0].explanation


def test_random_batches_find_exactly_the_duplicates_identity_finds(policy):
    """Brute force: a claim is a duplicate exactly when an earlier claim still paid or payable has its
    identity, and its explanation names the first such claim by the title and number it was entered
    with; a 制定 and a 修订 of one number are two achievements."""
    for seed in range(200):
        rng = random.Random(seed)
        batch = [_standard(i, _typed(rng.choice(NUMBERS), rng), rng.choice(["formulate", "revise"]),
                           rng.choice([None, "茶叶", f"规范{i}"])) for i in range(20)]
        out = compute(policy, batch)
        kept: dict = {}
        for a, r in zip(batch, out):
            first = kept.get(a.identity())
            if first is None:
                assert r.status != "duplicate", (seed, a.ref, r.explanation)
                kept[a.identity()] = a
            else:
                assert r.status == "duplicate", (seed, a.ref, "earlier", first.ref)
                assert first.ref in r.explanation, (seed, first.ref, r.explanation)
