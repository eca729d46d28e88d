"""An officer's JSON load file read a record at a time, never as one document in memory.

The documented shapes only: a list of achievements, or an object with an ``enterprises`` and/or an
``achievements`` list (``format`` and ``version`` allowed beside them). The punctuation of those two
levels is read here; each record is decoded on its own by the C decoder of the standard library
(``json.JSONDecoder.raw_decode``), from a window of the file read 1 MB at a time. So a file of a million
achievements costs the memory of one window and one record, and decoding stays at the speed of
``json.loads``.

Bad files get the messages ``json.load`` would have given them: not UTF-8, not valid JSON (with the
line and column), nested too deeply, not one of the shapes. A record larger than ``MAX_RECORD``
characters (a "JSON bomb": one record with a huge number of keys) is refused by its position in the
file before it is decoded whole.
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop.core.errors import BadFile, Problem, ValidationFailed
from desktop.core.i18n import _
from desktop.core.vocabulary import shape_problem

CHUNK = 1 << 20  # characters read at a time
MAX_RECORD = 1 << 20  # characters in one record (an achievement with every field and a long note is ~2 KB)
SECTIONS = ("enterprises", "achievements")
_OTHER_KEYS = ("format", "version")
_WHITESPACE = " \t\n\r"
_WS = re.compile(r"[ \t\n\r]*").match
_DECODER = json.JSONDecoder()


class _Reader:
    """A window over the file's text: ``buf[i:]`` is what is not consumed yet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        except FileNotFoundError:
            raise BadFile(_("cannot read {file}: no such file").format(file=path)) from None
        except OSError as exc:  # a folder, no permission
            raise BadFile(_("cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8-sig")
        self.buf = ""
        self.i = 0
        self.eof = False
        self.lines = 0  # newlines in the text dropped from the window
        self.column0 = 0  # characters after the last dropped newline (the column of buf[0] is column0 + 1)

    def close(self) -> None:
        self.text.close()

    def position(self) -> int:
        """Bytes of the file read so far (for progress)."""
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def fill(self, want: int = CHUNK) -> bool:
        """Read ``want`` more characters (dropping what is consumed); False at the end of the file."""
        if self.eof:
            return False
        if self.i:
            dropped = self.buf[:self.i]
            newlines = dropped.count("\n")
            if newlines:
                self.lines += newlines
                self.column0 = len(dropped) - dropped.rfind("\n") - 1
            else:
                self.column0 += len(dropped)
            self.buf, self.i = self.buf[self.i:], 0
        try:
            more = self.text.read(want)
        except UnicodeDecodeError:
            raise BadFile(_("{file} is not UTF-8 text (is it a JSON file?)").format(file=self.path)) from None
        except OSError as exc:
            raise BadFile(_("cannot read {file}: {reason}").format(file=self.path, reason=exc.strerror or exc)) from None
        if not more:
            self.eof = True
            return False
        self.buf += more
        return True

    def invalid(self, pos: int, msg: str) -> BadFile:
        """``json.load``'s refusal, at ``buf[pos]`` counted in the whole file."""
        before = self.buf[:pos]
        newlines = before.count("\n")
        line = self.lines + newlines + 1
        col = pos - before.rfind("\n") if newlines else self.column0 + pos + 1
        return BadFile(_("{file} is not valid JSON (line {line}, column {col}: {msg})").format(
            file=self.path, line=line, col=col, msg=msg))

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end), not consumed."""
        while True:
            buf, i, n = self.buf, self.i, len(self.buf)
            while i < n and buf[i] in _WHITESPACE:
                i += 1
            self.i = i
            if i < n:
                return buf[i]
            if not self.fill():
                return ""

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            what = " or ".join(repr(ch) for ch in chars)
            raise self.invalid(self.i, f"Expecting {what}" if c else "Unexpected end of the file")
        self.i += 1
        return c

    def value(self, where: str | Callable[[], str]) -> Any:
        """Decode the value that starts here; ``where`` names it when it is too large."""
        self.peek()
        while True:
            try:
                val, end = _DECODER.raw_decode(self.buf, self.i)
            except json.JSONDecodeError as exc:
                into = exc.pos - self.i  # widening the window moves the text
                if self._more(where):
                    continue
                raise self.invalid(self.i + into, exc.msg) from None
            except RecursionError:
                raise BadFile(_("{file} nests lists or objects too deeply to be an input file").format(
                    file=self.path)) from None
            if end == len(self.buf) and self._more(where):  # a number may go on in the next window
                continue
            if end - self.i > MAX_RECORD:
                raise self.too_large(where)
            self.i = end
            return val

    def too_large(self, where: str | Callable[[], str]) -> BadFile:
        return BadFile(_("{file}: {record} is larger than {limit} MB; it is refused (no record of a load file is "
                         "that large)").format(file=self.path, record=where if isinstance(where, str) else where(),
                                               limit=MAX_RECORD >> 20))

    def _more(self, where: str | Callable[[], str]) -> bool:
        """Widen the window for a value not complete in it: at least double what is there, never
        past ``MAX_RECORD`` characters from the value's start; False at the end of the file."""
        have = len(self.buf) - self.i
        if have > MAX_RECORD:
            raise self.too_large(where)
        return self.fill(min(max(CHUNK, have), MAX_RECORD + 1 - have))


class JsonLoadFile:
    """A JSON load file, for ``store.records.load``: ``enterprises()`` (a list: an office has a few
    thousand) and ``achievements()`` (one at a time), each a pass of its own over the file, so the
    two lists may come in either order."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.size = self.path.stat().st_size
        except FileNotFoundError:
            raise BadFile(_("cannot read {file}: no such file").format(file=self.path)) from None
        except OSError as exc:
            raise BadFile(_("cannot read {file}: {reason}").format(file=self.path,
                                                                   reason=exc.strerror or exc)) from None
        self.total: int | None = None  # records: not known before the end
        self._reader: _Reader | None = None

    def check_start(self) -> None:
        """Refuse now a file that is not UTF-8 or does not start as a list or an object (read: its
        first window only)."""
        r = _Reader(self.path)
        try:
            if r.peek() not in ("[", "{"):
                r.value(_("the file"))  # json.load's message, or valid JSON of another shape:
                raise shape_problem()
        finally:
            r.close()

    def progress(self, done: int) -> tuple[int, int]:
        """(done, total) for a progress bar: bytes of the file read by the achievements' pass."""
        return (self._reader.position() if self._reader else 0), self.size

    def enterprises(self) -> list[Any]:
        out: list[Any] = []
        for key, records in self._sections(stop_after="enterprises"):
            if key == "enterprises":
                out.extend(records)
            else:
                for _r in records:  # decoded to find where the list ends
                    pass
        return out

    def achievements(self) -> Iterator[Any]:
        for key, records in self._sections(stop_after=None):
            if key == "achievements":
                yield from records
            else:
                for _r in records:
                    pass

    def _sections(self, stop_after: str | None) -> Iterator[tuple[str, Iterator[Any]]]:
        """(section, its records) in file order; each section's records must be read to the end
        before the next section is looked for. With ``stop_after``, done once that section has ended
        (else the whole document is read, its shape checked to the end)."""
        r = _Reader(self.path)
        if stop_after is None:
            self._reader = r
        try:
            first = r.peek()
            if first == "[":
                if stop_after == "enterprises":
                    return  # a plain list of achievements has no enterprises
                yield "achievements", self._list(r, "achievements")
            elif first == "{":
                yield from self._object(r, stop_after)
                return  # stopped early, or checked to the end inside
            else:
                r.value(_("the file"))  # not JSON at all: json.load's message; valid JSON of another shape:
                raise shape_problem()
            if r.peek():
                raise r.invalid(r.i, "Extra data")
        finally:
            r.close()

    def _object(self, r: _Reader, stop_after: str | None) -> Iterator[tuple[str, Iterator[Any]]]:
        r.expect("{")
        seen: set[str] = set()
        if r.peek() == "}":
            r.i += 1
        else:
            while True:
                if r.peek() != '"':
                    raise r.invalid(r.i, "Expecting property name enclosed in double quotes")
                key = r.value(_("a key"))
                r.expect(":")
                if key in SECTIONS:
                    if key in seen:
                        raise ValidationFailed([Problem(key, "-", _(
                            "the file lists \"{key}\" twice; put all of them in one list").format(key=key))])
                    seen.add(key)
                    if r.peek() != "[":
                        r.value(key)
                        raise shape_problem()
                    yield key, self._list(r, key)
                    if key == stop_after:
                        return
                elif key in _OTHER_KEYS:
                    r.value(key)
                else:
                    raise shape_problem()
                if r.expect(",}") == "}":
                    break
        if stop_after is None and r.peek():
            raise r.invalid(r.i, "Extra data")

    def _list(self, r: _Reader, key: str) -> Iterator[Any]:
        """The records of one list, decoded one by one; the common case (a whole record and the comma
        after it in the window) without a Python call per character."""
        r.expect("[")
        if r.peek() == "]":
            r.i += 1
            return
        n = 0
        scan, ws = _DECODER.scan_once, _WS
        while True:
            n += 1
            buf = r.buf
            i = ws(buf, r.i).end()
            try:
                val, end = scan(buf, i)
            except (StopIteration, json.JSONDecodeError, RecursionError):
                end = -1
            j = ws(buf, end).end() if end >= 0 else len(buf)
            if j < len(buf):  # the record and what follows it are in the window
                if end - i > MAX_RECORD:
                    r.i = i
                    raise r.too_large(lambda n=n: _("record {n} of \"{key}\"").format(n=n, key=key))
                r.i = j + 1
                c = buf[j]
                if c == ",":
                    yield val
                    continue
                if c == "]":
                    yield val
                    return
                raise r.invalid(j, "Expecting ',' delimiter")
            r.i = i
            yield r.value(lambda n=n: _("record {n} of \"{key}\"").format(n=n, key=key))
            if r.expect(",]") == "]":
                return
