"""Sorting a round's lines by a text column (the achievement: a text of its own on every line) at 10⁶
lines: the texts are dealt into buckets by a close key, each bucket collated apart and the buckets
merged where their ends are out of order. The order must be exactly the one the table of line dicts
gave (a stable sort by the GB 18030 code, then by the UI collator), both ways, whatever the texts:
Chinese of both GB 2312 levels, traditional and rare characters, Latin in both cases, digits,
punctuation, blanks and many ties."""
from __future__ import annotations

import functools
import random

import pytest

pytest.importorskip("pytestqt")

PIECES = ["莆田", "鑫", "瀚", "琪", "璟", "鞋业", "标准", "國家", "臺灣", "𠮷", "阿", "佛", "Zeta", "zeta", "ABC", "abc",
          "Abc", "0", "9", "10", "《", "》", "（", "(", " ", "-", "第", "号", "GB/T ", "T/ZZB ", "a", "B", "é", "ß"]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5))) for _ in range(n)]
    for i in range(0, n, 9):  # ties: the same text on lines far apart
        out[i] = out[(i * 7) % n]
    out[5] = out[6] = ""
    return out


def _old_order(texts: list[str], descending: bool) -> list[int]:
    """What the table of line dicts did: a stable sort by the GB 18030 code, then by the collator."""
    from desktop.ui.qt import QCollator

    idx = list(range(len(texts)))
    idx.sort(key=lambda i: texts[i].encode("gb18030"), reverse=descending)
    by_collator = functools.cmp_to_key(QCollator().compare)
    idx.sort(key=lambda i: by_collator(texts[i]), reverse=descending)
    return idx


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("splitters", [1, 7, 1024])
def test_sorting_by_a_text_per_line_gives_the_old_order(qtbot, monkeypatch, locale, splitters):
    from desktop.core import i18n
    from desktop.ui.app import apply_language, make_app
    from desktop.ui.views import round_model as RM

    app = make_app()
    was = i18n.current_locale()
    i18n.set_locale(locale)
    apply_language(app)
    merged = []
    merge = RM._merge
    monkeypatch.setattr(RM, "_merge", lambda *a: merged.append(1) or merge(*a))
    monkeypatch.setattr(RM, "SPLITTERS", splitters)
    monkeypatch.setattr(RM, "SORT_SLICE", 13)  # many slices, as 10⁶ lines have
    monkeypatch.setattr(RM, "COLLATE_SLICE", 5)
    try:
        for seed in (1, 2, 3):
            texts = _texts(600, seed)
            for descending in (False, True):
                got = list(RM.sort_positions(texts, None, None, False, descending))
                assert got == _old_order(texts, descending), (locale, splitters, seed, descending)
    finally:
        i18n.set_locale(was)
        apply_language(app)
    if splitters > 1:  # buckets out of the collator's order were merged: that path was taken
        assert merged


def test_runs_in_any_order_merge_into_the_collators_order(qtbot):
    """The merge of two runs, whatever their overlap: one before the other, interleaved, equal texts
    in both (those of the first run first)."""
    from desktop.ui.app import make_app
    from desktop.ui.qt import QCollator
    from desktop.ui.views import round_model as RM

    make_app()
    compare = QCollator().compare
    rng = random.Random(5)
    for _ in range(200):
        texts = [rng.choice(PIECES) + rng.choice(PIECES) for _ in range(rng.randint(0, 40))]
        cut = rng.randint(0, len(texts))
        by = functools.cmp_to_key(compare)
        a = sorted(range(cut), key=lambda i: by(texts[i]))
        b = sorted(range(cut, len(texts)), key=lambda i: by(texts[i]))
        got = list(RM._merge(RM.array("i", a), RM.array("i", b), texts.__getitem__, compare))
        assert got == sorted(a + b, key=lambda i: by(texts[i]))  # stable: the first run's equal texts first


def test_a_sort_of_many_lines_by_their_achievement_is_in_order_and_complete(qtbot):
    """30,000 lines with texts as the round gives them (the same words, numbers apart): every line
    once, in the collator's order."""
    from desktop.ui.app import make_app
    from desktop.ui.qt import QCollator
    from desktop.ui.views import round_model as RM

    make_app()
    rng = random.Random(9)
    texts = [f"作为第{rng.randint(1, 5)}起草单位制定{rng.choice(['国家', '行业', '团体'])}标准《{rng.choice(PIECES)}"
             f"产品第{rng.randint(1, 40000)}号》" for _ in range(30000)]
    got = RM.sort_positions(texts, None, None, False, True)
    assert sorted(got) == list(range(len(texts)))
    compare = QCollator().compare
    assert all(compare(texts[a], texts[b]) >= 0 for a, b in zip(got, got[1:]))


def test_texts_held_in_chunks_read_change_find_and_sort_as_a_list_would(qtbot, monkeypatch):
    """The achievement ids and descriptions of a round are held a chunk of lines to one string: every
    line reads back as given (blank, astral and NUL characters too), after changes, and a sort over
    them gives the order a sort over the same texts in a list gives."""
    from desktop.ui.app import make_app
    from desktop.ui.views import round_data as RD
    from desktop.ui.views import round_model as RM

    make_app()
    monkeypatch.setattr(RD.TextColumn, "CHUNK", 7)
    rng = random.Random(4)
    texts, col = [], RD.TextColumn()
    for _ in range(400):
        t = "".join(rng.choice(PIECES + ["\x00", "𠮷"]) for _ in range(rng.randint(0, 3)))
        texts.append(t)
        col.append(t)
        if rng.random() < 0.2:
            i = rng.randrange(len(texts))
            texts[i] = col_text = rng.choice(PIECES)
            col[i] = col_text
    snapshot = col.copy()
    col[3] = "changed after the copy"
    assert list(snapshot) == texts and [snapshot[i] for i in range(-len(texts), len(texts))] == texts * 2
    assert snapshot[5:40] == texts[5:40] and list(map(snapshot.reader(), range(len(texts)))) == texts
    for t in ("", "鑫", "ABC", "nowhere"):
        assert (t in snapshot) == (t in texts)
        if t in texts:
            assert snapshot.index(t) == texts.index(t)
    assert col[3] == "changed after the copy" and snapshot[3] == texts[3]
    monkeypatch.setattr(RM, "SPLITTERS", 9)
    for descending in (False, True):
        assert (list(RM.sort_positions(snapshot, None, None, False, descending))
                == list(RM.sort_positions(texts, None, None, False, descending)) == _old_order(texts, descending))
