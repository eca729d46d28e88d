"""Fonts for notices and summary tables: which file draws which role, embedded as TrueType subsets.

Two roles: ``body`` (正文, 发文字号, 署名: 仿宋 by GB/T 9704) and ``heading`` (版头 and 标题: 小标宋, or
a bold Song/Hei substitute). For each role the office's choice (``Office.settings["fonts"]``) comes
first, then the Windows fonts officers print with (simfang.ttf / FZXBSJW.TTF, simhei.ttf,
simsun.ttc) found in the usual font folders, then the bundled AR PL UMing CN
(``resources/fonts/uming.ttc``), which is always there, so a notice renders on any machine.

reportlab embeds only TrueType (glyf) outlines: an OpenType/CFF file (``OTTO``, e.g. Noto Sans CJK
``.otf``) is refused with a message saying so, before reportlab fails obscurely. ``check_text``
refuses a character the font lacks (naming it and the record) instead of letting a blank reach paper.

Fonts are registered with reportlab once per process and file (``register``), and their SHA-256 is
part of the ``FontChoice`` stored on each notice, so a reprint uses exactly the same font file.
"""
from __future__ import annotations

import hashlib
import os
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.errors import Problem, StdAwardError, ValidationFailed
from desktop.core.i18n import _

ROLES = ("body", "heading")
BUNDLED_FILE = "uming.ttc"
BUNDLED_INDEX = 0  # AR PL UMing CN

# Preferred files per role, best first: (file name, face index in a collection, needs emboldening).
PREFERRED: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "body": (("simfang.ttf", 0, False), ("simsun.ttc", 0, False)),
    "heading": (("FZXBSJW.TTF", 0, False), ("simhei.ttf", 0, False), ("simsun.ttc", 0, True)),
}


# The faces GB/T 9704 names, by family (Chinese and English names as fonts record them), and the
# substitutes tried by family name when no preferred file is found. (family, needs emboldening)
STANDARD_FAMILIES: dict[str, tuple[str, ...]] = {
    "body": ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "方正仿宋_GBK", "方正仿宋简体", "FZFangSong-Z02S",
             "FZFangSong-Z02"),
    "heading": ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05", "小标宋"),
}
SUBSTITUTE_FAMILIES: dict[str, tuple[tuple[str, bool], ...]] = {
    "body": (("宋体", False), ("SimSun", False)),
    "heading": (("黑体", False), ("SimHei", False), ("宋体", True), ("SimSun", True)),
}


class FontError(StdAwardError):
    """A font that cannot be used (missing, CFF outlines, not a font, no embedding allowed)."""


@dataclass(frozen=True)
class FontChoice:
    """One font file (and face) chosen for a role; ``as_dict`` is what a notice stores."""

    role: str
    path: str
    index: int
    sha256: str
    bold: bool  # emboldened by stroking (a Song/Ming face standing in for a bold heading face)
    bundled: bool

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    @property
    def rl_name(self) -> str:
        """The reportlab font name: fixed by the file content, so PDFs are reproducible."""
        return f"SA{self.sha256[:12]}i{self.index}"

    def as_dict(self) -> dict[str, Any]:
        out = {"file": self.file_name, "index": self.index, "sha256": self.sha256,
               "bold": self.bold, "bundled": self.bundled}
        if not self.bundled:
            out["path"] = self.path  # a font chosen by path is found there again at print time
        return out


def resources_dir() -> Path:
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "resources" if base else Path(__file__).resolve().parents[2] / "resources"


def bundled_path() -> Path:
    return resources_dir() / "fonts" / BUNDLED_FILE


def font_dirs() -> list[Path]:
    """Folders searched for fonts named by file name (Windows first, then per-user, then Linux)."""
    dirs: list[Path] = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    extra = os.environ.get("STDAWARD_FONT_DIRS")
    if extra:
        dirs[:0] = [Path(p) for p in extra.split(os.pathsep) if p]
    home = Path.home()
    dirs += [home / ".local" / "share" / "fonts", home / ".fonts", Path("/usr/share/fonts/truetype"),
             Path("/usr/local/share/fonts"), Path("/Library/Fonts")]
    return [d for d in dirs if d.is_dir()]


def find_file(name: str) -> Path | None:
    """A font file by name (case-insensitive) in ``font_dirs`` (one level of sub-folders)."""
    lower = name.lower()
    for d in font_dirs():
        for cand in (d, *sorted(p for p in d.iterdir() if p.is_dir())):
            try:
                for f in cand.iterdir():
                    if f.name.lower() == lower:
                        return f
            except OSError:
                continue
    return None


FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")


def _face_offsets(fh: Any) -> list[int]:
    tag = fh.read(4)
    if tag == b"ttcf":
        fh.seek(8)
        count = struct.unpack(">I", fh.read(4))[0]
        return list(struct.unpack(f">{count}I", fh.read(4 * count))) if 0 < count < 64 else []
    return [0]


def face_names(path: Path, index: int = 0) -> set[str]:
    """The family, typographic family and full names a face records in its ``name`` table (all
    languages: 仿宋 and FangSong alike), read without loading the font."""
    return _names_cached(str(path), index, *_stamp(path))


def _stamp(path: Path) -> tuple[int, float]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0.0)
    return (st.st_size, st.st_mtime)


_name_cache: dict[tuple[str, int, int, float], frozenset[str]] = {}


def _names_cached(path: str, index: int, size: int, mtime: float) -> set[str]:
    key = (path, index, size, mtime)
    if key not in _name_cache:
        try:
            _name_cache[key] = frozenset(_read_names(Path(path), index))
        except (OSError, struct.error, UnicodeDecodeError, ValueError):
            _name_cache[key] = frozenset()
    return set(_name_cache[key])


def _read_names(path: Path, index: int) -> set[str]:
    out: set[str] = set()
    with open(path, "rb") as fh:
        offsets = _face_offsets(fh)
        if index >= len(offsets):
            return out
        fh.seek(offsets[index] + 4)
        num_tables = struct.unpack(">H", fh.read(2))[0]
        fh.seek(offsets[index] + 12)
        name_at = None
        for _i in range(min(num_tables, 128)):
            tag, _checksum, offset, _length = struct.unpack(">4sIII", fh.read(16))
            if tag == b"name":
                name_at = offset
                break
        if name_at is None:
            return out
        fh.seek(name_at)
        _fmt, count, strings = struct.unpack(">HHH", fh.read(6))
        records = [struct.unpack(">HHHHHH", fh.read(12)) for _i in range(min(count, 1024))]
        for platform, encoding, _lang, name_id, length, offset in records:
            if name_id not in (1, 4, 16):
                continue
            fh.seek(name_at + strings + offset)
            raw = fh.read(length)
            if platform in (0, 3):
                if platform == 3 and encoding == 3:  # PRC (GB2312) names in old Windows fonts
                    text = raw.replace(b"\x00", b"").decode("gbk", "ignore")
                else:
                    text = raw.decode("utf-16-be", "ignore")
            elif platform == 1 and encoding == 0:
                text = raw.decode("mac_roman", "ignore")
            else:
                continue
            if text.strip():
                out.add(text.strip())
    return out


def _font_files(max_depth: int = 3) -> list[Path]:
    files: list[Path] = []

    def walk(d: Path, depth: int) -> None:
        try:
            entries = sorted(d.iterdir())
        except OSError:
            return
        for e in entries:
            if e.is_dir() and depth < max_depth:
                walk(e, depth + 1)
            elif e.suffix.lower() in FONT_SUFFIXES:
                files.append(e)

    for d in font_dirs():
        walk(d, 0)
    return files


_index_cache: dict[tuple[Any, ...], list[tuple[Path, int, frozenset[str]]]] = {}


def face_index() -> list[tuple[Path, int, frozenset[str]]]:
    """Every face in the font folders with its names (casefolded), built once per set of folders
    and their modification times (installing a font changes the folder's time)."""
    dirs = font_dirs()
    key = tuple((str(d), _stamp(d)[1]) for d in dirs)
    if key not in _index_cache:
        faces = []
        for f in _font_files():
            try:
                with open(f, "rb") as fh:
                    count = len(_face_offsets(fh))
            except (OSError, struct.error):
                continue
            for i in range(count):
                faces.append((f, i, frozenset(n.casefold() for n in face_names(f, i))))
        _index_cache.clear()
        _index_cache[key] = faces
    return _index_cache[key]


def find_family(family: str) -> tuple[Path, int] | None:
    """The first TrueType face whose name table records ``family`` (case-insensitive), in the
    system and per-user font folders: (file, face index)."""
    want = family.casefold()
    for f, i, names in face_index():
        if want in names and outline_kind(f, i) == "truetype":
            return f, i
    return None


def is_standard_face(role: str, path: Path, index: int = 0) -> bool:
    """Whether the face is the one GB/T 9704 names for the role (仿宋 body, 小标宋 heading)."""
    names = {n.casefold() for n in face_names(path, index)}
    return any(f.casefold() in names for f in STANDARD_FAMILIES[role])


def describe_face(role: str, choice: FontChoice) -> dict[str, Any]:
    """``face`` (its names, Chinese first) and ``standard`` (GB/T 9704's face for the role)."""
    names = sorted(face_names(Path(choice.path), choice.index), key=lambda n: (n.isascii(), n))
    return {"face": " / ".join(names[:3]), "standard": is_standard_face(role, Path(choice.path), choice.index)}


def outline_kind(path: Path, index: int = 0) -> str:
    """``truetype``, ``cff`` (OpenType with PostScript outlines) or ``unknown``."""
    try:
        with open(path, "rb") as fh:
            tag = fh.read(4)
            if tag == b"ttcf":
                fh.seek(12 + 4 * index)
                raw = fh.read(4)
                if len(raw) < 4:
                    return "unknown"
                fh.seek(struct.unpack(">I", raw)[0])
                tag = fh.read(4)
    except OSError as exc:
        raise FontError(_("cannot read the font {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    if tag == b"OTTO":
        return "cff"
    if tag in (b"\x00\x01\x00\x00", b"true"):
        return "truetype"
    return "unknown"


_sha_cache: dict[tuple[str, int, float], str] = {}


def file_sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime)
    if key not in _sha_cache:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        _sha_cache[key] = h.hexdigest()
    return _sha_cache[key]


def make_choice(role: str, path: Path, index: int = 0, bold: bool = False) -> FontChoice:
    """Check that ``path`` is a usable TrueType font and describe it (raises FontError)."""
    if not path.is_file():
        raise FontError(_("font file not found: {file}").format(file=path))
    kind = outline_kind(path, index)
    if kind == "cff":
        raise FontError(_("{file} is an OpenType font with PostScript (CFF) outlines, such as Noto CJK .otf; "
                          "notices can embed only TrueType fonts (.ttf/.ttc): choose another font").format(file=path))
    if kind != "truetype":
        raise FontError(_("{file} is not a TrueType font file").format(file=path))
    bundled = path.resolve() == bundled_path().resolve()
    return FontChoice(role, str(path), index, file_sha256(path), bold, bundled)


def _setting(settings: Mapping[str, Any] | None, role: str) -> tuple[str, int, bool] | None:
    fonts = (settings or {}).get("fonts") or {}
    val = fonts.get(role)
    if not val:
        return None
    if isinstance(val, str):
        return val, 0, False
    return str(val.get("file")), int(val.get("index", 0)), bool(val.get("bold", False))


def _locate(name: str) -> Path | None:
    p = Path(name)
    if p.is_absolute() or p.parent != Path("."):
        return p if p.is_file() else None
    if name.lower() == BUNDLED_FILE:
        return bundled_path()
    return find_file(name)


def _locate_face(name: str, index: int) -> tuple[Path, int] | None:
    """A font named in the settings: a path, a file name, or a family name (仿宋_GB2312)."""
    path = _locate(name)
    if path is not None:
        return path, index
    if Path(name).suffix.lower() in FONT_SUFFIXES or "/" in name or "\\" in name:
        return None
    return find_family(name)


def choose(settings: Mapping[str, Any] | None = None) -> dict[str, FontChoice]:
    """The font for each role: the office's setting, else Windows fonts, else the bundled font."""
    out: dict[str, FontChoice] = {}
    for role in ROLES:
        wanted = _setting(settings, role)
        if wanted:
            name, index, bold = wanted
            found = _locate_face(name, index)
            if found is None:
                raise FontError(_("the {role} font chosen in the office settings, {file}, is not installed").format(
                    role=role, file=name))
            out[role] = make_choice(role, found[0], found[1], bold)
            continue
        candidates: list[tuple[Path, int, bool]] = []
        for name, index, bold in PREFERRED[role]:
            path = find_file(name)
            if path is not None:
                candidates.append((path, index, bold))
        if not candidates or not is_standard_face(role, candidates[0][0], candidates[0][1]):
            for family in STANDARD_FAMILIES[role]:  # the standard's face under another file name
                hit = find_family(family)
                if hit is not None:
                    candidates.insert(0, (hit[0], hit[1], False))
                    break
        for family, bold in SUBSTITUTE_FAMILIES[role]:
            hit = find_family(family)
            if hit is not None:
                candidates.append((hit[0], hit[1], bold))
        for path, index, bold in candidates:
            try:
                out[role] = make_choice(role, path, index, bold)
                break
            except FontError:
                continue
        else:
            out[role] = make_choice(role, bundled_path(), BUNDLED_INDEX, role == "heading")
    return out


def from_stored(role: str, stored: Mapping[str, Any]) -> FontChoice:
    """The font a notice was printed with, found again by name and checked by SHA-256 (reprints)."""
    path = bundled_path() if stored.get("bundled") else None
    if path is None and stored.get("path") and Path(str(stored["path"])).is_file():
        path = Path(str(stored["path"]))
    if path is None and not stored.get("bundled"):
        path = _locate(str(stored["file"]))
    if path is None or not path.is_file():
        raise FontError(_("the font this notice was printed with ({file}) is not installed; "
                          "a reprint would not be identical").format(file=stored["file"]))
    choice = make_choice(role, path, int(stored.get("index", 0)), bool(stored.get("bold")))
    if choice.sha256 != stored.get("sha256"):
        raise FontError(_("the installed {file} differs from the one this notice was printed with; "
                          "a reprint would not be identical").format(file=stored["file"]))
    return choice


_registered: dict[str, Any] = {}


def register(choice: FontChoice) -> str:
    """Register the font with reportlab once per process; returns its reportlab name."""
    name = choice.rl_name
    if name not in _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFError, TTFont

        try:
            font = TTFont(name, choice.path, subfontIndex=choice.index)
        except TTFError as exc:
            raise FontError(_("cannot use the font {file}: {reason}").format(file=choice.path, reason=exc)) from None
        pdfmetrics.registerFont(font)
        _registered[name] = font
    return name


def charset(choice: FontChoice) -> frozenset[int] | Any:
    """The code points the font can draw."""
    return _registered[register(choice)].face.charToGlyph


_IGNORED = frozenset(map(ord, "\n\r\t"))


def missing(choice: FontChoice, text: str) -> list[str]:
    """Characters of ``text`` the font cannot draw, in order of first appearance."""
    have = charset(choice)
    absent = {ch for ch in set(text) if ord(ch) not in have and ord(ch) not in _IGNORED}
    return [ch for ch in dict.fromkeys(text) if ch in absent] if absent else []


_drawable: dict[str, set[str]] = {}  # reportlab font name -> characters already found in the font


def check_texts(choice: FontChoice, items: Iterable[tuple[str, str, str]]) -> None:
    """``items`` are (record, field, text); any character the font lacks → ValidationFailed naming
    the character (with its code point), the record and the field.

    All the texts are checked at once against the characters already found in the font (a notice
    repeats the same few hundred); only new characters are looked up, and only when one is missing
    are the texts gone through one by one to name the record and field."""
    items = list(items)
    name = register(choice)
    known = _drawable.setdefault(name, set())
    new = set("".join(text for _rec, _fld, text in items)) - known
    if not new:
        return
    have = charset(choice)
    absent = {ch for ch in new if ord(ch) not in have and ord(ch) not in _IGNORED}
    known |= new - absent
    if not absent:
        return
    problems = []
    for record, fld, text in items:
        for ch in missing(choice, text):
            problems.append(Problem(record, fld, _(
                "the font {font} has no glyph for “{char}” (U+{code:04X}); choose a font that has it "
                "in the office settings (e.g. SimSun/FangSong) or correct the text").format(
                    font=choice.file_name, char=ch, code=ord(ch))))
    if problems:
        raise ValidationFailed(problems)
