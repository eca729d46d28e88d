"""The achievements table's filter: narrowing a remembered result (typing, deleting, more words)
keeps exactly the rows a plain pass over every row keeps, on ASCII, Chinese and full-width text."""
from __future__ import annotations

import random
from array import array

import pytest

from desktop.ui.views.achievement_model import MEMO_SIZE, AchievementIndex, Filter

ALPHABET = list("gbt/ 1234-5") + list("莆田城厢区标准化有限公司ＧＢ／Ｔ１２３") + ["ß", "İ", "Σ"]


def plain(index: AchievementIndex, f: Filter) -> list[int]:
    """Every row tested on its own: the definition of the filter."""
    words = f.text.lower().split()
    return [index.ids[i] for i in range(len(index))
            if (f.year is None or index.years[i] == f.year) and (not f.kind or index.kinds[i] == f.kind)
            and (not f.level or index.levels[i] == f.level) and (not f.status or index.statuses[i] == f.status)
            and all(w in index.texts[i] for w in words)]


def make_index(rnd: random.Random, n: int) -> AchievementIndex:
    index = AchievementIndex()
    index.ids = array("q", rnd.sample(range(1, 10 * n), n))  # in a sort order, not by id
    index.years = array("h", (rnd.choice((2023, 2024, 2025)) for _ in range(n)))
    index.kinds = [rnd.choice(("standard", "pilot")) for _ in range(n)]
    index.levels = [rnd.choice(("national", "local", None)) for _ in range(n)]
    index.statuses = [rnd.choice(("awarded", "none", "duplicate")) for _ in range(n)]
    index.texts = ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 30))).lower() for _ in range(n)]
    return index


def random_query(rnd: random.Random) -> str:
    return " ".join("".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(1, 3))) for _ in range(rnd.randint(0, 3)))


@pytest.mark.parametrize("seed", range(5))
def test_random_queries_keep_what_a_plain_pass_keeps(seed):
    rnd = random.Random(seed)
    index = make_index(rnd, 3000)
    for _ in range(60):  # one index: later queries start from remembered results of earlier ones
        f = Filter(text=random_query(rnd), year=rnd.choice((None, 2024)), kind=rnd.choice((None, "", "pilot")),
                   level=rnd.choice((None, "local")), status=rnd.choice((None, "awarded")))
        assert index.select(f) == plain(index, f), f


@pytest.mark.parametrize("typed", ["gb/t 1234", "ＧＢ／Ｔ 城厢区", "莆田 标准化 有限公司", "GB/T 12-3 ß"])
def test_typing_then_deleting_gives_the_rows_of_each_prefix(typed):
    rnd = random.Random(typed)
    index = make_index(rnd, 4000)
    shown = [typed[:i] for i in range(1, len(typed) + 1)]
    shown += shown[-2::-1]  # back to one character
    shown += ["", typed[:3] + "x", typed]  # cleared, a mistyped character, then the whole text again
    for text in shown:
        f = Filter(text=text)
        assert index.select(f) == plain(index, f), text
    assert len(index._memo) <= MEMO_SIZE  # bounded: it does not grow with the keystrokes


def test_full_width_and_chinese_text_match_as_typed():
    index = AchievementIndex()
    index.ids = array("q", [7, 3, 9])
    index.years = array("h", [2024, 2024, 2025])
    index.kinds, index.levels, index.statuses = ["standard"] * 3, [None] * 3, ["none"] * 3
    index.texts = ["莆田市城厢区 ｇｂ／ｔ １２３４", "gb/t 1234 标准", "城厢区 gb/t 5678"]
    assert index.select(Filter(text="ＧＢ／Ｔ")) == [7]  # full-width lower-cased as the text was
    assert index.select(Filter(text="城厢区")) == [7, 9]
    assert index.select(Filter(text="城厢区 gb/t")) == [9]
    assert index.select(Filter(text="城厢区 gb/t", year=2024)) == []
    assert index.select(Filter(text="城厢")) == [7, 9]  # the shorter text after the longer one
    assert index.select(Filter()) == [7, 3, 9]


def test_a_new_index_forgets_the_old_results():
    rnd = random.Random(1)
    index = make_index(rnd, 500)
    before = index.select(Filter(text="g"))
    index.texts = ["g"] * len(index)  # as a reload replaces the lists (``load`` also clears the memory)
    index._memo = {}
    assert index.select(Filter(text="g")) == list(index.ids) != before


# ---------------------------------------------------------------------------- the pass in slices
MIXED = ALPHABET + list("GBTAbcＡｂＣ") + ["标准", "有限"]


def make_mixed_index(rnd: random.Random, n: int) -> AchievementIndex:
    """Texts from mixed-case ASCII, Chinese and full-width characters, lower-cased as the database does."""
    index = make_index(rnd, n)
    index.texts = ["".join(rnd.choice(MIXED) for _ in range(rnd.randint(0, 40))).lower() for _ in range(n)]
    return index


def small_slices(monkeypatch, size: int) -> None:
    from desktop.ui.views import achievement_model as am

    monkeypatch.setattr(am, "FIRST_SLICE", size)
    monkeypatch.setattr(am, "MIN_SLICE", size)
    monkeypatch.setattr(am, "MAX_SLICE", size)


def mixed_query(rnd: random.Random) -> str:
    """One to three words of 1, 2 or 3+ characters, in any case."""
    words = ["".join(rnd.choice(MIXED) for _ in range(rnd.choice((1, 1, 2, 3, 5)))) for _ in range(rnd.randint(1, 3))]
    return " ".join(w.upper() if rnd.random() < 0.3 else w for w in words).replace("  ", " ")


@pytest.mark.parametrize("seed", range(6))
def test_a_pass_in_slices_shows_the_first_rows_of_the_result_and_ends_with_all_of_them(seed, monkeypatch):
    """Keystrokes (typing, deleting, editing in the middle, new words) arrive after a random number of
    slices of the previous pass; at every moment the rows found are the first rows of what a plain pass
    keeps, and a pass left to finish keeps exactly those rows."""
    rnd = random.Random(seed)
    small_slices(monkeypatch, rnd.choice((7, 50, 400)))
    index = make_mixed_index(rnd, 2500)
    run = None
    text = mixed_query(rnd)
    for _ in range(40):
        edit = rnd.random()
        if edit < 0.4:
            text += rnd.choice(MIXED)  # typed
        elif edit < 0.6:
            text = text[:-1]  # deleted
        elif edit < 0.75 and text:
            at = rnd.randrange(len(text))
            text = text[:at] + rnd.choice(MIXED) + text[at + 1:]  # a character changed in the middle
        elif edit < 0.85:
            text += " " + mixed_query(rnd)  # one more word
        else:
            text = mixed_query(rnd)  # a new query
        f = Filter(text=text, year=rnd.choice((None, None, 2024)), status=rnd.choice((None, None, "awarded")))
        want = plain(index, f)
        run = index.start(f, prior=run)
        for _slice in range(rnd.randint(0, 30)):  # the next keystroke arrives mid-pass, or not
            run.step(0.0)
            assert index.ids_at(run.found) == want[:len(index.ids_at(run.found))], text
        if rnd.random() < 0.3:  # now and then left to finish: then the rows are exactly the plain pass's
            while not run.step(0.0):
                pass
            assert index.ids_at(run.found) == want, text
    assert len(index._unfinished) <= MEMO_SIZE and len(index._memo) <= MEMO_SIZE


@pytest.mark.parametrize("typed", ["gb/t 1234", "ＧＢ／Ｔ 城厢区", "莆田 标准化 有限公司", "GB/T 12-3 ß"])
def test_typing_and_deleting_mid_pass_then_waiting_gives_the_plain_rows(typed, monkeypatch):
    """Each keystroke after a single slice of the previous one (narrowing from the rows found so far
    and the part not reached yet; deleting back to an unfinished query goes on where it stopped)."""
    small_slices(monkeypatch, 97)
    index = make_index(random.Random(typed), 4000)
    shown = [typed[:i] for i in range(1, len(typed) + 1)]
    shown += shown[-2::-1]
    run = None
    for text in shown:
        run = index.start(Filter(text=text), prior=run)
        run.step(0.0)
    for text in reversed(shown[:3]):  # back to queries whose passes were interrupted, each finished
        run = index.start(Filter(text=text), prior=run)
        while not run.step(0.0):
            pass
        assert index.ids_at(run.found) == plain(index, Filter(text=text)), text
    assert index.select(Filter(text=typed)) == plain(index, Filter(text=typed))


def test_a_dense_first_keystroke_stops_once_a_screen_is_found(monkeypatch):
    """One character matching most rows: the first step tests one slice, not the whole index."""
    small_slices(monkeypatch, 300)
    index = make_index(random.Random(3), 20000)
    index.texts = [t + " g" for t in index.texts]  # every row matches
    run = index.start(Filter(text="G"))
    assert not run.step(10.0, enough=100)
    assert run.scanned == 300 and len(run.found) == 300
    assert index.ids_at(run.found) == list(index.ids[:300])
