"""How the award-round screens word and total what ``desktop.operations.rounds`` reads (Qt-free).

Labels of award statuses, decisions and round states; ``totals_by`` sums the lines per enterprise or
per fund; ``grand_total`` the paying lines. Everything read from the database comes from
``desktop.operations.rounds`` (``lines``, ``latest``, ``pool_budgets``, ``history``...);
``read_round`` reads all of it for one year at once, in a worker when the round is large.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
import uuid as uuidlib
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate, repeat
from operator import contains, floordiv, or_
from typing import Any, overload

from desktop.core import collector
from desktop.core.i18n import _
from desktop.core.money import ZERO
from desktop.core.status import LINE_FIELDS, PAYING, AwardStatus, Decision, award_status_label
from desktop.core.status import round_status_label as round_status_label  # the round screens' word for a round's state

# the line's, the decision's and the round's words: ``core.status``'s, one vocabulary of states
status_label = award_status_label


def decision_label(decision: str) -> str:
    try:
        return Decision(decision).label
    except ValueError:
        return decision


def is_award_status(value: str) -> bool:
    """Is ``value`` a line's status (not a decision)? A line's history mixes the two."""
    return value in {s.value for s in AwardStatus}


def years_with_achievements() -> list[int]:
    from desktop.operations import rounds

    return rounds.years(None)


def user_name(username: str | None) -> str:
    from desktop.operations import rounds

    return rounds.user_name(None, username)


def totals_by(lines: Sequence[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    """Sum of paying amounts per ``key`` ("enterprise" or "fund"), with counts, largest first (of a
    round as read: the sums made when it was read)."""
    figures = getattr(lines, "figures", None)
    if figures is not None:
        return figures.rows(key)
    sums: dict[str, dict[str, Any]] = {}
    for ln in lines:
        k = ln[key] or "-"
        row = sums.setdefault(k, {key: k, "count": 0, "total": ZERO, "open": 0})
        if ln["status"] in PAYING and ln["amount"] is not None and ln["decision"] != "rejected":
            row["count"] += 1
            row["total"] += ln["amount"]
        elif ln["status"] in ("discretionary", "unspecified") and ln["amount"] is None:
            row["open"] += 1
    return sorted(sums.values(), key=lambda r: (-r["total"], r[key]))


def grand_total(lines: Sequence[Mapping[str, Any]]) -> Decimal:
    figures = getattr(lines, "figures", None)
    if figures is not None:
        return figures.total
    return sum((ln["amount"] for ln in lines if ln["status"] in PAYING and ln["amount"] is not None
                and ln["decision"] != "rejected"), ZERO)


def when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")


def policy_choices() -> list[tuple[str, str]]:
    """(id, label) of each installed policy and of the office's local measures, for a combo box."""
    from desktop.operations import rounds

    return rounds.policy_choices(None)


def approve_question(year: int, lines: int, total: str, publicised: bool) -> str:
    """The reviewer's question before approving; ``publicised``: the office publicises its lists first
    (its setting), so the notices wait for the end of the 公示 rather than following the approval."""
    if publicised:
        return _("Approve the award round for {year}: {n} lines, total {total}? Its list is then publicised, and "
                 "its notices can be issued once the publicity period has ended.").format(year=year, n=lines,
                                                                                          total=total)
    return _("Approve the award round for {year}: {n} lines, total {total}? Its notices can then be issued.").format(
        year=year, n=lines, total=total)


def publicity_required(session: Any) -> bool:
    """Whether the office publicises an approved round's list before its notices (its setting)."""
    from desktop.operations import publicity

    return bool(publicity.settings(session)["required"])


# ---------------------------------------------------------------- the UI thread's turn

# When the UI thread last asked the round table for a cell. A screen's paint asks for some 2,500 cells,
# each a call into Python that must take the GIL: while a worker runs Python (a sort, a search or a
# reading of 10⁶ lines) each waits for the worker's switch interval, so a paint that takes 20 ms alone
# took 0.5-1 s (measured at 10⁶ lines: the stalls of a sort were these paints). A worker steps aside
# between two slices of its work while the UI thread is painting (``step_aside``).
UI_ASKED = [0.0]
UI_QUIET = 0.015  # seconds without a cell asked for: the paint is done
UI_WAIT_AT_MOST = 0.25  # a worker waits no longer at a time (the UI thread may paint on and on)
STEP_ROWS = 1024  # rows read between two looks at whether the UI thread is painting (a few ms)


def step_aside() -> None:
    """In a worker, between two slices of work: while the UI thread is painting the table, wait until
    it is done (on the UI thread itself: nothing)."""
    if threading.current_thread() is threading.main_thread():
        return
    began = time.perf_counter()
    while time.perf_counter() - UI_ASKED[0] < UI_QUIET and time.perf_counter() - began < UI_WAIT_AT_MOST:
        time.sleep(0.004)


# ---------------------------------------------------------------- a round's lines, compact

# fields of few distinct values (an enterprise has many lines; statuses, amounts, clauses, explanations
# repeat): each value held once, a 4-byte code per line
CODED = ("date", "enterprise", "uscc", "kind", "status", "status_label", "amount", "rule", "clause", "fund",
         "explanation", "flags", "decision")
_SLOT = {k: n for n, k in enumerate(LINE_FIELDS)}


def _money_key(value: Any) -> Any:
    return None if value is None else str(value)  # 35000 and 35000.00 are equal but shown apart


class Coded:
    """A column of repeated values: each distinct value once (``values``), a code per line (``codes``)."""

    __slots__ = ("values", "codes", "_index", "_key")

    def __init__(self, key: Callable[[Any], Any] | None = None) -> None:
        self.values: list[Any] = []
        self.codes = array("I")
        self._index: dict[Any, int] = {}
        self._key = key

    def code(self, value: Any) -> int:
        k = value if self._key is None else self._key(value)
        c = self._index.get(k)
        if c is None:
            c = self._index[k] = len(self.values)
            self.values.append(value)
        return c


def _grouped(items: Iterable[tuple[int, str]], size: int, sealed: int) -> tuple[dict[int, dict[int, str]],
                                                                               dict[int, str]]:
    """(position, text) pairs of a column in chunks of ``size`` lines, ``sealed`` of them: per sealed
    chunk its places and texts, and the tail's places and texts."""
    by_chunk: dict[int, dict[int, str]] = {}
    tail: dict[int, str] = {}
    for i, text in items:
        c, j = divmod(i, size)
        if c < sealed:
            by_chunk.setdefault(c, {})[j] = text
        else:
            tail[j] = text
    return by_chunk, tail


class TextColumn(Sequence[str]):
    """A text per line, ``CHUNK`` lines' texts joined into one string with their offsets (4 bytes a
    line): a string of its own per line costs 50-75 bytes beside its characters (10⁶ achievement
    descriptions and ids: ~130 MB). ``column[i]`` is the line's text, made when asked for."""

    CHUNK = 1024
    __slots__ = ("_chunks", "_offsets", "_tail")

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._offsets: list[array] = []
        self._tail: list[str] = []  # the last texts, until they fill a chunk

    def __len__(self) -> int:
        return len(self._chunks) * self.CHUNK + len(self._tail)

    def copy(self) -> TextColumn:
        """The texts as they are now (a worker reads them while the lines change; chunks are never
        changed in place, only replaced)."""
        out = TextColumn()
        out._chunks, out._offsets, out._tail = list(self._chunks), list(self._offsets), list(self._tail)
        return out

    def reader(self) -> Callable[[int], str]:
        """``column[i]`` for 0 <= i < len, quicker (a worker reads each of 10⁶ texts a few times)."""
        chunks, offsets, tail, size = self._chunks, self._offsets, self._tail, self.CHUNK
        sealed = len(chunks) * size

        def at(i: int) -> str:
            if i >= sealed:
                return tail[i - sealed]
            c, j = divmod(i, size)
            off = offsets[c]
            return chunks[c][off[j]:off[j + 1]]
        return at

    def append(self, text: str | None) -> None:
        self._tail.append(text or "")
        if len(self._tail) == self.CHUNK:
            self._chunks.append("".join(self._tail))
            self._offsets.append(array("i", accumulate(map(len, self._tail), initial=0)))
            self._tail = []

    def prepared(self, items: Iterable[tuple[int, str | None]]) -> TextPatch:
        """The chunks that hold these (position, text) pairs, made again with the new texts, and the
        tail's pairs (``put`` stores them): worked out from the column as it is, so safe in a worker
        while the UI thread shows it, each chunk made once however many of its texts change (10,000
        texts set one by one made 10,000 chunks again: seconds on the UI thread)."""
        by_chunk, tail = _grouped(((i, text or "") for i, text in items), self.CHUNK, len(self._chunks))
        chunks = {}
        for c, new in by_chunk.items():
            texts = self._texts(c)
            for j, text in new.items():
                texts[j] = text
            chunks[c] = ("".join(texts), array("i", accumulate(map(len, texts), initial=0)))
        return TextPatch(chunks, tail)

    def put(self, patch: TextPatch) -> None:
        """Store what ``prepared`` made (for the column as it was then)."""
        for c, (text, offsets) in patch.chunks.items():
            self._chunks[c], self._offsets[c] = text, offsets
        for j, text in patch.tail.items():
            self._tail[j] = text

    def _texts(self, c: int) -> list[str]:
        s, off = self._chunks[c], self._offsets[c]
        return [s[a:b] for a, b in zip(off, off[1:])]

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        c, j = divmod(i, self.CHUNK)
        if 0 <= c < len(self._chunks):
            off = self._offsets[c]
            return self._chunks[c][off[j]:off[j + 1]]
        if c == len(self._chunks) and 0 <= j < len(self._tail):
            return self._tail[j]
        raise IndexError(i)

    def __setitem__(self, i: int, text: str | None) -> None:
        text = text or ""
        c, j = divmod(i, self.CHUNK)
        if c == len(self._chunks):
            self._tail[j] = text
            return
        texts = self._texts(c)
        texts[j] = text
        self._chunks[c] = "".join(texts)
        self._offsets[c] = array("i", accumulate(map(len, texts), initial=0))

    def __iter__(self) -> Iterator[str]:
        for c in range(len(self._chunks)):
            yield from self._texts(c)
        yield from list(self._tail)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The first line whose text is ``value`` (a chunk not holding it is passed over at once)."""
        if start or stop is not None:
            return super().index(value, start, stop if stop is not None else len(self))
        for c, s in enumerate(self._chunks):
            if isinstance(value, str) and value in s:
                for j, t in enumerate(self._texts(c)):
                    if t == value:
                        return c * self.CHUNK + j
        for j, t in enumerate(self._tail):
            if t == value:
                return len(self._chunks) * self.CHUNK + j
        raise ValueError(value)


class HayColumn:
    """What a search looks in, a case-folded text per line, held like ``TextColumn`` in chunks of
    ``CHUNK`` lines (a string per line cost ~80 bytes beside its characters: ~80 MB of 10⁶ lines),
    joined by a character no search holds, so a chunk is cut into its texts at C speed.
    ``bits(needle)``: per line whether its text holds ``needle`` (a chunk not holding it at all is
    passed over at once), kept per chunk until the chunk changes."""

    CHUNK = 1024
    SEP = "\x00"  # (a space in the chunks; a text holding it is also kept whole, in ``_odd``)

    def __init__(self) -> None:
        self._chunks: list[str] = []  # chunks are replaced, never changed in place
        self._tail: list[str] = []
        # position -> the text of a line holding SEP (a NUL read from a workbook: rare), searched as it is
        self._odd: dict[int, str] = {}
        self._found: dict[str, tuple[list[str | None], bytearray]] = {}  # needle -> chunks it was found in, bits
        self._lock = threading.Lock()  # (a search in a worker and one on the UI thread)

    def __len__(self) -> int:
        return len(self._chunks) * self.CHUNK + len(self._tail)

    def __getitem__(self, i: int) -> str:
        if i in self._odd:
            return self._odd[i]
        c, j = divmod(i, self.CHUNK)
        return self._tail[j] if c == len(self._chunks) else self._chunks[c].split(self.SEP)[j]

    def append(self, text: str) -> None:
        if self.SEP in text:
            self._odd[len(self)] = text
        self._tail.append(text.replace(self.SEP, " "))
        if len(self._tail) == self.CHUNK:
            self._chunks.append(self.SEP.join(self._tail))
            self._tail = []

    def __setitem__(self, i: int, text: str) -> None:
        self.put(self.prepared([(i, text)]))

    def prepared(self, items: Iterable[tuple[int, str]]) -> TextPatch:
        """The chunks holding these (position, text) pairs made again, each once, and the tail's pairs
        (``put`` stores them): safe in a worker (see ``TextColumn.prepared``)."""
        items = list(items)
        odd: dict[int, str | None] = {}
        for i, text in items:
            if self.SEP in text or i in self._odd or i in odd:
                odd[i] = text if self.SEP in text else None
        by_chunk, tail = _grouped(((i, text.replace(self.SEP, " ")) for i, text in items), self.CHUNK,
                                  len(self._chunks))
        chunks: dict[int, tuple[str, array]] = {}
        needles = list(self._found)  # the searches kept: their answers for the new chunks made here too
        found: dict[str, dict[int, bytes]] = {needle: {} for needle in needles}
        for c, new in by_chunk.items():
            texts = self._chunks[c].split(self.SEP)
            for j, text in new.items():
                texts[j] = text
            chunks[c] = (self.SEP.join(texts), array("i"))
            for needle in needles:
                found[needle][c] = bytes(map(contains, texts, repeat(needle)))
        return TextPatch(chunks, tail, found, odd)

    def put(self, patch: TextPatch) -> None:
        """Store what ``prepared`` made, with what the searches kept find in the new chunks (so the
        UI thread never looks through a chunk again after a refresh)."""
        size = self.CHUNK
        with self._lock:
            for c, (text, _offsets) in patch.chunks.items():
                self._chunks[c] = text
            for j, text in patch.tail.items():
                self._tail[j] = text
            for i, whole in patch.odd.items():
                if whole is None:
                    self._odd.pop(i, None)
                else:
                    self._odd[i] = whole
            for needle, answers in patch.found.items():
                kept = self._found.get(needle)
                if kept is None:
                    continue
                seen, bits = kept
                for c, answer in answers.items():
                    if c < len(seen) and len(bits) >= (c + 1) * size:
                        bits[c * size:(c + 1) * size] = answer
                        seen[c] = self._chunks[c]

    def bits(self, needle: str, chunks: Iterable[int] | None = None) -> bytearray:
        """Per line (its place), 1 where its text holds ``needle``, 0 where not: right for the lines of
        ``chunks`` (None: every line) and of the tail. Each chunk is looked at again only once it has
        changed; a worker steps aside for the UI thread's paint between chunks (``step_aside``)."""
        size, chunks_now = self.CHUNK, self._chunks
        with self._lock:
            kept = self._found.get(needle)
            if kept is None:
                for other in list(self._found)[:-1]:  # the last two searches kept (a worker's, the UI's)
                    del self._found[other]
                kept = self._found[needle] = ([], bytearray())
            seen, bits = kept
            if len(seen) < len(chunks_now):
                seen.extend([None] * (len(chunks_now) - len(seen)))
            grow = len(chunks_now) * size + len(self._tail) - len(bits)
            if grow > 0:
                bits.extend(bytes(grow))
        wanted = range(len(chunks_now)) if chunks is None else chunks
        for n, c in enumerate(wanted):
            if c >= len(chunks_now):  # (the tail's lines: looked at below)
                break
            chunk = chunks_now[c]
            if seen[c] is chunk:
                continue
            if needle in chunk:
                found = bytes(map(contains, chunk.split(self.SEP), repeat(needle)))
            else:
                found = bytes(size)
            with self._lock:
                if self._chunks[c] is chunk:  # (not replaced meanwhile)
                    bits[c * size:(c + 1) * size] = found
                    seen[c] = chunk
            if n % 16 == 15:
                step_aside()
        tail = bytes(map(contains, self._tail, repeat(needle)))
        with self._lock:
            start = len(chunks_now) * size
            bits[start:start + len(tail)] = tail
            for i, whole in list(self._odd.items()):  # (their chunks' texts have a space for each NUL)
                if i < len(bits):
                    bits[i] = needle in whole
        return bits


@dataclass
class TextPatch:
    """Texts of a ``TextColumn`` made ready to store: its chunks made again (chunk -> text, offsets)
    and its tail's texts (place in the tail -> text)."""
    chunks: dict[int, tuple[str, array]]
    tail: dict[int, str]
    found: dict[str, dict[int, bytes]] = field(default_factory=dict)  # (a search's answers for these chunks)
    odd: dict[int, str | None] = field(default_factory=dict)  # (``HayColumn._odd``'s lines set: None, none now)


@dataclass
class Changes:
    """Lines of a reading that differ from those shown, ready to be stored (``RoundLines.prepare``):
    the positions with their signatures and versions as read now, the lines to set whole (another
    award at that place, or its achievement's id or text changed), and per coded column the lines
    whose value changed: (positions, codes (None: a value not coded yet), values)."""
    positions: list[int]
    sigs: array
    versions: array
    whole: list[tuple[int, tuple[Any, ...], int]] = field(default_factory=list)
    codes: dict[str, tuple[list[int], list[int | None], list[Any]]] = field(default_factory=dict)
    # the whole lines' texts, made ready (``TextColumn.prepared``): achievement ids, descriptions and
    # the search text per line
    texts: dict[str, TextPatch] = field(default_factory=dict)
    hay: TextPatch | None = None
    ids: list[tuple[int, int, bytes, str | None]] = field(default_factory=list)  # line id, uuid (bytes, odd text)

    def __len__(self) -> int:
        return len(self.positions)

    def touches(self, key: str) -> bool:
        """Whether a line's value of column ``key`` may have changed."""
        return key in self.codes or bool(self.whole)


class Line(Mapping[str, Any]):
    """One line of ``RoundLines`` read as a dict would be (its values as the operations give them)."""

    __slots__ = ("lines", "i")

    def __init__(self, lines: RoundLines, i: int) -> None:
        self.lines, self.i = lines, i

    def __getitem__(self, key: str) -> Any:
        return self.lines.get(self.i, key)

    def __iter__(self) -> Iterator[str]:
        return iter(LINE_FIELDS)

    def __len__(self) -> int:
        return len(LINE_FIELDS)

    def __repr__(self) -> str:
        return f"Line({dict(self)!r})"


class RoundLines(Sequence[Line]):
    """A round's lines held by column, for 10⁶ of them in a few hundred MB (a dict per line took
    ~2.5 KB): repeated values coded (``Coded``), ids and versions in arrays, the award uuid in 16
    bytes, the achievement ids and descriptions in chunks (``TextColumn``); per line only the search
    text of both (case-folded) is a string of its own. ``lines[i]`` is a ``Line`` (a mapping, made
    when asked for). ``sigs``: each line's signature as read (a later reading compares them).
    ``figures``: the round's totals as read (``Figures``)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.versions = array("q")
        self.sigs = array("q")
        self.uuids = bytearray()
        self.odd_uuids: dict[int, str] = {}  # a uuid not in the canonical form, as it is
        self.achievement = TextColumn()
        self.what = TextColumn()
        self.hay = HayColumn()  # what and achievement id, case-folded: what a search looks in per line
        self.coded = {k: Coded(_money_key if k == "amount" else None) for k in CODED}
        self.figures: Figures | None = None
        self._shown: dict[str, list[str]] = {}  # per coded column, each value's shown text, case-folded
        self._shown_lock = threading.Lock()  # (a search in a worker and one on the UI thread may add to them)

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]]) -> RoundLines:
        """Lines from dicts as ``desktop.operations.rounds.lines`` gives them (a small round, a test)."""
        from desktop.core.status import award_status_label

        out = cls()
        for row in rows:
            values = [tuple(row.get(k) or ()) if k == "flags" else row.get(k) for k in LINE_FIELDS]
            if values[_SLOT["status_label"]] is None:
                values[_SLOT["status_label"]] = award_status_label(values[_SLOT["status"]])
            out.append(tuple(values))
        return out

    # ------------------------------------------------------------ reading and changing
    def append(self, values: tuple[Any, ...], sig: int = 0) -> None:
        self.ids.append(values[0])
        self.uuids += self._uuid_bytes(len(self.ids) - 1, values[1])
        self.achievement.append(values[2])
        self.what.append(values[7])
        self.hay.append(self._hay(values))
        self.versions.append(values[17] or 0)
        self.sigs.append(sig)
        for k, col in self.coded.items():
            col.codes.append(col.code(values[_SLOT[k]]))

    def set(self, i: int, values: tuple[Any, ...], sig: int = 0) -> None:
        """Line ``i`` takes ``values`` (in ``LINE_FIELDS`` order) in place (one line; many: ``prepare``
        in a worker, then ``apply``)."""
        if self.ids[i] != values[0] or self.get(i, "uuid") != values[1]:  # (an award keeps its uuid)
            self.ids[i] = values[0]
            self.odd_uuids.pop(i, None)
            self.uuids[16 * i:16 * i + 16] = self._uuid_bytes(i, values[1])
        if self.achievement[i] != values[2] or self.what[i] != values[7]:
            self.achievement[i] = values[2]
            self.what[i] = values[7]
            self.hay[i] = self._hay(values)
        self.versions[i] = values[17] or 0
        self.sigs[i] = sig
        for k, col in self.coded.items():
            col.codes[i] = col.code(values[_SLOT[k]])

    def set_many(self, changes: Sequence[tuple[int, tuple[Any, ...], int]] | Changes) -> None:
        """``set`` for many lines, (position, values, signature) each, or as ``prepare`` made them
        ready (in a worker: the UI thread then only stores the codes that differ)."""
        self.apply(changes if isinstance(changes, Changes) else self.prepare(changes))

    def prepare(self, changes: Sequence[tuple[int, tuple[Any, ...], int]]) -> Changes:
        """What ``apply`` stores for lines that changed, (position, values, signature) each, worked out
        against the lines as they are: per coded column only the lines whose value differs, with its
        code when the value is coded already. Reads the lines only: safe in a worker while the UI
        thread shows them (the result is for these lines as they are now)."""
        out = Changes([c[0] for c in changes], array("q", [c[2] for c in changes]),
                      array("q", [c[1][17] or 0 for c in changes]))
        ids, achievement, what = self.ids, self.achievement.reader(), self.what.reader()
        whole = set()
        for i, v, sig in changes:
            if ids[i] != v[0] or achievement(i) != v[2] or what(i) != v[7]:
                out.whole.append((i, v, sig))  # another line here, or its achievement's text: set whole
                whole.add(i)
        if out.whole:  # made ready here too: their ids, their texts (each chunk once), their search texts
            out.ids = [(i, v[0], *self._uuid_of(v[1])) for i, v, _sig in out.whole]
            out.texts["achievement"] = self.achievement.prepared((i, v[2]) for i, v, _sig in out.whole)
            out.texts["what"] = self.what.prepared((i, v[7]) for i, v, _sig in out.whole)
            out.hay = self.hay.prepared((i, self._hay(v)) for i, v, _sig in out.whole)
        for k, col in self.coded.items():  # every line's coded values, those set whole too
            slot, codes, index = _SLOT[k], col.codes, col._index
            new = [c[1][slot] for c in changes]
            found = list(map(index.get, new if col._key is None else map(col._key, new)))
            differ = [j for j, (c, f) in enumerate(zip(changes, found)) if f is None or codes[c[0]] != f]
            if differ:
                out.codes[k] = ([changes[j][0] for j in differ], [found[j] for j in differ], [new[j] for j in differ])
        return out

    def apply(self, changes: Changes) -> None:
        """Store lines that changed as ``prepare`` made them ready (10,000 changed lines of a refresh:
        a few milliseconds on the UI thread; set one by one, 10,000 lines of a round recomputed after
        their achievements changed took 4.4 s there, each setting its texts' chunk again)."""
        sigs, versions = self.sigs, self.versions
        for i, sig, version in zip(changes.positions, changes.sigs, changes.versions):
            sigs[i] = sig
            versions[i] = version
        ids, uuids, odd = self.ids, self.uuids, self.odd_uuids
        for i, line_id, raw, text in changes.ids:
            ids[i] = line_id
            uuids[16 * i:16 * i + 16] = raw
            if text is None:
                odd.pop(i, None)
            else:
                odd[i] = text
        if changes.texts:
            self.achievement.put(changes.texts["achievement"])
            self.what.put(changes.texts["what"])
            if changes.hay is not None:
                self.hay.put(changes.hay)
        for k, (positions, found, new) in changes.codes.items():
            col = self.coded[k]
            codes = col.codes
            for i, c, value in zip(positions, found, new):
                codes[i] = col.code(value) if c is None else c

    @staticmethod
    def _hay(values: tuple[Any, ...]) -> str:
        return f"{values[7]}\n{values[2]}".casefold()

    @staticmethod
    def _uuid_of(text: Any) -> tuple[bytes, str | None]:
        """A uuid's 16 bytes, and the text itself when it is not in the canonical form (kept as it is)."""
        try:
            u = uuidlib.UUID(text)
        except (TypeError, ValueError, AttributeError):
            u = None
        if u is None or str(u) != text:
            return bytes(16), text
        return u.bytes, None

    def _uuid_bytes(self, i: int, text: Any) -> bytes:
        raw, odd = self._uuid_of(text)
        if odd is not None:
            self.odd_uuids[i] = odd
        return raw

    # ------------------------------------------------------------ reading a line
    def get(self, i: int, key: str) -> Any:
        col = self.coded.get(key)
        if col is not None:
            return col.values[col.codes[i]]
        if key == "achievement":
            return self.achievement[i]
        if key == "what":
            return self.what[i]
        if key == "id":
            return self.ids[i]
        if key == "version":
            return self.versions[i]
        if key == "uuid":
            odd = self.odd_uuids.get(i)
            return odd if odd is not None or i in self.odd_uuids else str(uuidlib.UUID(bytes=bytes(self.uuids[16 * i:16 * i + 16])))
        raise KeyError(key)

    def any_of(self, key: str, wanted: Collection[Any]) -> bool:
        """Whether a line's value of coded column ``key`` is one of ``wanted`` (a test per distinct
        value, then a scan of the codes at C speed for each wanted one, stopping at the first line:
        ~8 ms at 10⁶ lines, where a test per line took ~32 ms)."""
        col = self.coded[key]
        return any(c in col.codes for c, v in enumerate(col.values) if v in wanted)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> Line: ...

    @overload
    def __getitem__(self, i: slice) -> list[Line]: ...

    def __getitem__(self, i: int | slice) -> Line | list[Line]:
        if isinstance(i, slice):
            return [Line(self, j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return Line(self, i)

    def __iter__(self) -> Iterator[Line]:
        return (Line(self, i) for i in range(len(self)))

    # ------------------------------------------------------------ searching
    def forget_shown(self) -> None:
        """The shown texts change (another language): made again at the next search."""
        self._shown.clear()

    def shown_texts(self, key: str, fmt: Callable[[Any], str] | None) -> list[str]:
        """Each distinct value of coded column ``key`` as shown (``fmt``), case-folded."""
        col = self.coded[key]
        with self._shown_lock:
            texts = self._shown.setdefault(key, [])
            for value in col.values[len(texts):]:
                texts.append(("" if value is None else fmt(value) if fmt is not None else str(value)).casefold())
            return texts

    def hits(self, needle: str, positions: Sequence[int] | None, searched: Mapping[str, Callable[[Any], str] | None]
             ) -> list[Any]:
        """For each line at ``positions`` (None: every line in order; a ``range``: those lines, sliced),
        whether its achievement id or description, or one of the coded columns ``searched`` (key → how it
        is shown) holds ``needle`` (case-folded): a test per line of one string, and one per distinct
        value of each column."""
        found: list[Any] = list(_pick(self.hay.bits(needle, _chunks_of(positions, HayColumn.CHUNK)), positions))
        for key, fmt in searched.items():
            match = bytes(needle in t for t in self.shown_texts(key, fmt))
            if 1 not in match:
                continue
            found = list(map(or_, found, map(match.__getitem__, _pick(self.coded[key].codes, positions))))
        return found

    def attention(self, positions: Sequence[int] | None) -> list[Any]:
        """For each line at ``positions``: flagged, or discretionary without an amount yet."""
        flags, status, amount = self.coded["flags"], self.coded["status"], self.coded["amount"]
        flagged = bytes(bool(v) for v in flags.values)
        open_status = bytes(v == "discretionary" for v in status.values)
        no_amount = bytes(v is None for v in amount.values)
        needs = map(min, map(open_status.__getitem__, _pick(status.codes, positions)),
                    map(no_amount.__getitem__, _pick(amount.codes, positions)))
        return list(map(or_, map(flagged.__getitem__, _pick(flags.codes, positions)), needs))


def _chunks_of(positions: Sequence[int] | None, size: int) -> Iterable[int] | None:
    """The chunks of ``size`` lines that hold ``positions`` (None: all)."""
    if positions is None:
        return None
    if isinstance(positions, range) and positions.step == 1:
        return range(positions.start // size, -(-positions.stop // size))
    return sorted(set(map(floordiv, positions, repeat(size))))


def _pick(column: Sequence[Any], positions: Sequence[int] | None) -> Any:
    """The values of ``column`` at ``positions`` (None: all; a run of positions: a slice, at C speed)."""
    if positions is None:
        return column
    if isinstance(positions, range) and positions.step == 1:
        return column[positions.start:positions.stop]
    return map(column.__getitem__, positions)


class Figures:
    """The round's totals, added up line by line as it is read: paid lines, flagged ones, those to
    decide, the total, and the sums per enterprise and per fund (as ``totals_by`` gives them)."""

    def __init__(self) -> None:
        self.paid = self.flagged = self.open = 0
        self.total = ZERO
        self._by: dict[str, dict[str, dict[str, Any]]] = {"enterprise": {}, "fund": {}}

    def add(self, enterprise: str, fund: str, status: str, amount: Decimal | None, decision: str, flagged: bool) -> None:
        paying = status in PAYING and amount is not None
        if paying:
            self.paid += 1
        if flagged:
            self.flagged += 1
        if status == "discretionary" and amount is None:
            self.open += 1
        counted = paying and decision != "rejected"
        if counted:
            self.total += amount  # type: ignore[operator]  # paying: not None
        undecided = not paying and status in ("discretionary", "unspecified") and amount is None
        for key, k in (("enterprise", enterprise or "-"), ("fund", fund or "-")):
            sums = self._by[key]
            row = sums.get(k)
            if row is None:
                row = sums[k] = {key: k, "count": 0, "total": ZERO, "open": 0}
            if counted:
                row["count"] += 1
                row["total"] += amount
            elif undecided:
                row["open"] += 1

    def rows(self, key: str) -> list[dict[str, Any]]:
        return sorted((dict(r) for r in self._by[key].values()), key=lambda r: (-r["total"], r[key]))


# ---------------------------------------------------------------- one reading of a year's round

@dataclass
class RoundSnapshot:
    """Everything the round screen shows of a year, read at once (in a worker for a large round):
    the round, its lines (``RoundLines``), fund names, the totals per enterprise and per fund, and
    the footer's counts. ``changed``: when read after an earlier snapshot of the same round with the
    same lines in the same order, the positions of the lines whose content differs, and ``updates``
    their values as read now (``lines`` are then the shown lines, which take them on the screen:
    nothing else of this reading is kept); None when the screen must be rebuilt."""
    year: int
    round: Any  # desktop.operations.rounds.RoundInfo | None
    lines: RoundLines = field(default_factory=RoundLines)
    fund_names: dict[str, str] = field(default_factory=dict)
    by_enterprise: list[dict[str, Any]] = field(default_factory=list)
    by_fund: list[dict[str, Any]] = field(default_factory=list)
    paid: int = 0
    flagged: int = 0
    open: int = 0
    total: Decimal = ZERO
    figures: Figures | None = None
    changed: list[int] | None = None
    # the pools' budgets and the 公示's state (each a StdAwardError when it could not be read): read
    # with the lines, as they scan the round (a pool's committed money: ~0.5 s at 10⁶ lines)
    pools: Any = None
    publicity: Any = None
    against: Any = field(default=None, repr=False)  # the snapshot ``changed`` was found against
    updates: Changes | None = None  # the changed lines, ready to be stored in ``lines``


def _changes(reader: Any, old: RoundLines, figures: Figures) -> list[tuple[int, tuple[Any, ...], int]] | None:
    """(position, values, signature) of each line read that differs from ``old``, or None when the
    round's lines are no longer the same lines in the same order. Only the changed lines are
    converted; the totals are added up from every line."""
    ids, sigs, n, i = old.ids, old.sigs, len(old), 0
    out: list[tuple[int, tuple[Any, ...], int]] = []
    for rows in reader.batches():
        for row in rows:
            aid, sig = reader.key(row)
            if i >= n or ids[i] != aid:
                return None
            if sigs[i] != sig:
                out.append((i, reader.values(row), sig))
            figures.add(*reader.figures(row))
            i += 1
            if not i % STEP_ROWS:
                step_aside()
    return out if i == n else None


def read_round(session: Any, year: int, rnd: Any = None, previous: RoundSnapshot | None = None) -> RoundSnapshot:
    """The year's latest round as the screen shows it (``rnd``: its RoundInfo if already read), read a
    batch at a time. ``previous``: the snapshot the screen shows now; when the round still has the
    same lines, only those that differ from it are converted and named in ``changed``."""
    if threading.current_thread() is threading.main_thread():  # (a small round: nothing to spare)
        return _read_round(session, year, rnd, previous)
    with collector.paused():  # (a collection scanning 10⁶ lines, in a worker, held the UI thread)
        return _read_round(session, year, rnd, previous)


def _read_round(session: Any, year: int, rnd: Any, previous: RoundSnapshot | None) -> RoundSnapshot:
    from desktop.operations import publicity, rounds

    rnd = rnd if rnd is not None else rounds.latest(session, year)
    snap = RoundSnapshot(year, rnd)
    if rnd is None:
        return snap
    snap.fund_names = rounds.fund_names(session, rnd.uuid)
    snap.pools = _or_error(lambda: rounds.pool_budgets(session, rnd.uuid))
    snap.publicity = _or_error(lambda: publicity.state(session, rnd.uuid))
    figures = Figures()
    if previous is not None and previous.round is not None and previous.round.uuid == rnd.uuid:
        changes = _changes(rounds.LineReader(session, rnd.uuid), previous.lines, figures)
        if changes is not None:
            snap.lines, snap.against = previous.lines, previous
            snap.changed = [c[0] for c in changes]
            snap.updates = previous.lines.prepare(changes)  # (here, in the worker: the UI thread only stores it)
            _sums(snap, figures)
            return snap
        figures = Figures()
    reader = rounds.LineReader(session, rnd.uuid)
    lines = snap.lines
    for rows in reader.batches():
        for row in rows:
            lines.append(reader.values(row), reader.key(row)[1])
            figures.add(*reader.figures(row))
            if not len(lines) % STEP_ROWS:
                step_aside()
    lines.figures = figures
    _sums(snap, figures)
    return snap


def _or_error(read: Callable[[], Any]) -> Any:
    """What ``read`` gives, or the StdAwardError it raised (the screen shows its text)."""
    from desktop.core.errors import StdAwardError

    try:
        return read()
    except StdAwardError as exc:
        return exc


def _sums(snap: RoundSnapshot, figures: Figures) -> None:
    snap.figures = figures
    snap.paid, snap.flagged, snap.open, snap.total = figures.paid, figures.flagged, figures.open, figures.total
    snap.by_enterprise = figures.rows("enterprise")
    # the lines under no fund (not eligible: "-") are no fund's row, unless one waits for an amount
    snap.by_fund = [{**r, "fund_name": snap.fund_names.get(r["fund"]) or (_("(no fund named)") if r["fund"] == "-"
                                                                         else r["fund"])}
                    for r in figures.rows("fund") if r["fund"] != "-" or r["count"] or r["open"]]
