"""The round screen's search texts held in chunks (``HayColumn``) against the plain test of each
line's own text, ``needle in text``: for any order of positions, after lines set one at a time, set
many at once (made ready first, another search in between) and added across a chunk's end, with
searches alternating (the worker's and the UI thread's), with case-folding that changes a text's
length, and with a NUL in a line's text (a description read from a workbook)."""
from __future__ import annotations

import random

import pytest

from desktop.ui.views import round_data as RD

LETTERS = ["a", "b", "ß", "ss", "ﬁ", "fi", "İ", "i̇", "\x00", " ", "甲", "\n"]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(RD.HayColumn, "CHUNK", 4)  # many chunk ends in a few lines


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(0, 4))).casefold()


def _found(hay: RD.HayColumn, needle: str, positions) -> list[bool]:
    return [bool(b) for b in RD._pick(hay.bits(needle, RD._chunks_of(positions, RD.HayColumn.CHUNK)), positions)]


def test_a_search_finds_exactly_the_lines_whose_own_text_holds_it_whatever_was_changed(small_chunks):
    for seed in range(400):
        rng = random.Random(seed)
        hay, plain = RD.HayColumn(), []
        needles = [_text(rng) or "a" for _ in range(3)]
        for _step in range(40):
            op = rng.random()
            if op < 0.35 or not plain:
                plain.append(_text(rng))
                hay.append(plain[-1])
            elif op < 0.5:
                i = rng.randrange(len(plain))
                plain[i] = _text(rng)
                hay[i] = plain[i]
            elif op < 0.65:
                items = [(rng.randrange(len(plain)), _text(rng)) for _ in range(rng.randint(1, 6))]
                patch = hay.prepared(items)
                if rng.random() < 0.5:
                    hay.bits(rng.choice(needles))  # a search between the refresh's worker and the UI thread
                hay.put(patch)
                for i, text in items:
                    plain[i] = text
            else:
                needle = rng.choice(needles)
                positions = list(range(len(plain)))
                rng.shuffle(positions)
                positions = None if rng.random() < 0.3 else positions[:rng.randint(0, len(positions))]
                want = [needle in plain[i] for i in (range(len(plain)) if positions is None else positions)]
                assert _found(hay, needle, positions) == want, (seed, needle, positions)
        assert [hay[i] for i in range(len(plain))] == plain


def test_a_line_whose_text_holds_a_nul_is_found_by_its_own_text_and_no_other_line_is(small_chunks):
    """A NUL in a description (pasted into a workbook) is the chunks' separator: a search holding it
    found every line; the line itself was not found by its own text."""
    texts = ["甲\x00乙", "丙丁", "甲 乙", "戊", "己\x00", "庚"]
    hay = RD.HayColumn()
    for text in texts:
        hay.append(text)
    for needle in ("\x00", "甲\x00乙", "甲 乙", "乙", "己\x00"):
        assert _found(hay, needle, None) == [needle in t for t in texts], needle
    hay.put(hay.prepared([(0, "丙丁"), (1, "甲\x00乙")]))  # the NUL moves to another line
    texts[0], texts[1] = "丙丁", "甲\x00乙"
    for needle in ("\x00", "甲\x00乙", "丙"):
        assert _found(hay, needle, [5, 1, 0, 4]) == [needle in texts[i] for i in (5, 1, 0, 4)], needle


def test_a_search_in_a_worker_while_the_ui_thread_stores_a_refresh_leaves_every_search_exact(small_chunks, monkeypatch):
    """The UI thread stores a refresh (another search of its own first) while a worker's search is
    between two chunks: the worker's answer is right for every line the refresh did not touch, and
    old or new for those it did; every search after it is exact."""
    for seed in range(300):
        rng = random.Random(seed)
        hay = RD.HayColumn()
        plain = [_text(rng) for _ in range(rng.randint(64, 140))]
        for text in plain:
            hay.append(text)
        needles = [_text(rng) or "a" for _ in range(2)]
        for needle in needles:
            if rng.random() < 0.5:
                hay.bits(needle)
        before = list(plain)
        items = [(rng.randrange(len(plain)), _text(rng)) for _ in range(rng.randint(1, 10))]
        stored: list[bool] = []

        def refresh(items=items, rng=rng, needles=needles, hay=hay, plain=plain, stored=stored):
            if stored:
                return
            stored.append(True)
            if rng.random() < 0.5:
                hay.bits(rng.choice(needles))
            hay.put(hay.prepared(items))
            for i, text in items:
                plain[i] = text

        monkeypatch.setattr(RD, "step_aside", refresh)
        got = _found(hay, needles[0], range(len(plain)))
        monkeypatch.setattr(RD, "step_aside", lambda: None)
        touched = {i for i, _t in items}
        for i, g in enumerate(got):
            assert g in ({needles[0] in before[i], needles[0] in plain[i]} if i in touched
                         else {needles[0] in plain[i]}), (seed, i)
        for needle in needles:
            assert _found(hay, needle, None) == [needle in t for t in plain], (seed, needle)
