"""The achievement vocabulary of DESIGN.md, parsed into typed objects with validation.

One achievement is one JSON object. ``parse_achievement`` turns a dict into an ``Achievement`` or
collects ``Problem``s naming the record id and the field; ``parse_batch`` does a whole batch and
checks ids are unique. Nothing here touches a database or a file.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid as uuidlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop.core.errors import Problem, ValidationFailed
from desktop.core.i18n import _
from desktop.core.labels import (  # noqa: F401 - re-exported
    ACTIONS,
    BODIES,
    DOMAINS,
    KIND_LABELS,
    KINDS,
    LEVEL_LABELS,
    PRIZES,
    STANDARD_LEVELS,
    kind_label,
    level_label,
)
from desktop.core.standards import parse_standard_number, standard_level

COMMON_FIELDS = ("id", "enterprise", "kind", "date", "ref", "title", "evidence")
# Optional fields any kind may carry: global id, a display name, free-text note, drafting units.
EXTRA_FIELDS = ("uuid", "enterprise_name", "note", "units")

# kind -> {field: (required?, validator name, allowed values or None)}
_KIND_FIELDS: dict[str, dict[str, tuple[bool, str, Any]]] = {
    "standard": {"level": (True, "enum", STANDARD_LEVELS), "action": (True, "enum", tuple(ACTIONS)),
                 "rank": (True, "rank", None)},
    "secretariat": {"level": (True, "enum", ("international", "national", "provincial", "municipal")),
                    "body": (True, "enum", tuple(BODIES))},
    "prize": {"prize": (True, "enum", tuple(PRIZES)), "grade": (False, "prize_grade", None),
              "rank": (True, "rank", None)},
    "pilot": {"level": (True, "enum", ("national", "provincial", "municipal")),
              "domain": (True, "enum", tuple(DOMAINS)), "accepted": (True, "bool", None)},
    "leader": {"level": (True, "enum", ("national", "provincial"))},
    "research": {"level": (True, "enum", ("national", "provincial")), "accepted": (True, "bool", None)},
    "project": {"level": (True, "enum", ("municipal",))},
    "gi": {"rank": (True, "rank", None)},
    "good_behavior": {"level": (True, "enum", ("national", "provincial")),
                      "grade": (True, "abc_grade", None)},
    "adoption": {},
    "self_declared": {},
    "innovation_base": {"level": (True, "enum", ("national", "provincial", "municipal"))},
}
_REF_REQUIRED = {"adoption", "self_declared"}
KIND_FIELDS = {k: tuple(v) for k, v in _KIND_FIELDS.items()}
ALL_FIELDS = tuple(dict.fromkeys(COMMON_FIELDS + EXTRA_FIELDS + tuple(
    f for spec in _KIND_FIELDS.values() for f in spec)))

MIN_DATE = dt.date(1949, 10, 1)

# Text limits (characters), generous for real records and small enough to print on a notice line and
# to keep a hostile file cheap (README "Limits").
MAX_TEXT = {"id": 64, "ref": 100, "title": 300, "enterprise_name": 200, "note": 2000, "evidence": 260,
            "units": 200, "name": 200, "address": 300, "contact": 100, "phone": 50}
MAX_LIST = 100  # items of evidence or units
# Characters that must not be stored: C0/C1 controls (NUL, BEL, the ESC of terminal escapes...) and the
# invisible marks that reorder text (bidi overrides and isolates: a name that reads differently on
# paper than in the database). A note may hold line breaks and tabs.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                        "\u2066-\u2069\ud800-\udfff]")
_FORBIDDEN_LINE = re.compile("[\t\n\r]")


def text_problem(value: str, fld: str) -> str | None:
    """Why ``value`` cannot be stored in the text field ``fld`` (too long, or a control or
    text-direction character), or None."""
    limit = MAX_TEXT.get(fld, 300)
    if len(value) > limit:
        return _("is {n} characters long; at most {limit} are accepted").format(n=len(value), limit=limit)
    bad = _FORBIDDEN.search(value) or (None if fld == "note" else _FORBIDDEN_LINE.search(value))
    if bad:
        return _("contains an invisible control or text-direction character (U+{code:04X}) at position {pos}; "
                 "remove it").format(code=ord(bad.group()), pos=bad.start() + 1)
    return None


def safe_label(value: Any, fallback: str) -> str:
    """A record's id as it may be shown in a message (never a terminal escape or a megabyte)."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        text = str(value).strip()
        if text and text_problem(text, "id") is None:
            return text
    return fallback
_ABC = re.compile(r"^A{1,5}$")

# Achievement.identity(): (enterprise, kind, standard key, action or prize/grade) with a ref, else
# (enterprise, kind, None, the kind's own field values, year).
Identity = tuple[str, str, str | None, str | None] | tuple[str, str, None, tuple[Any, ...], int]


@dataclass(slots=True, unsafe_hash=True)
class Achievement:
    """One achievement of the vocabulary. Treat it as immutable (it is hashable by value): it is a
    plain slots class rather than a frozen one because a frozen 19-field dataclass costs 5 µs to
    build, and a 100,000-row batch is built in a hot path (DESIGN's compute bar)."""

    id: str
    enterprise: str
    kind: str
    date: dt.date
    ref: str | None = None
    title: str | None = None
    evidence: tuple[str, ...] = ()
    level: str | None = None
    action: str | None = None
    rank: int | None = None
    body: str | None = None
    prize: str | None = None
    grade: str | None = None  # "1".."3" for prizes, "AAAA" for good_behavior
    domain: str | None = None
    accepted: bool | None = None
    uuid: str | None = None
    enterprise_name: str | None = None
    note: str | None = None
    units: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def standard_key(self) -> str | None:
        """The normalised standard number when ``ref`` is one, else the stripped ref."""
        return standard_key(self.ref)

    def identity(self) -> Identity:
        """What makes two claims the same achievement of one enterprise (DESIGN: duplicates).

        With a ref: the kind, the ref and what else makes the thing itself distinct: for a standard
        the action (制定 and 修订 are two achievements), for a prize its scheme (a national and a
        provincial prize for one standard are two prizes). Without a ref: the kind's own fields and
        the year; such a match is only a *possible* duplicate (the engine flags it, never refuses).
        """
        if self.ref:
            return (self.enterprise, self.kind, self.standard_key, identity_detail(self))
        own = tuple(getattr(self, f) for f in KIND_FIELDS[self.kind])
        return (self.enterprise, self.kind, None, own, self.year)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the vocabulary (only the fields that are set)."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if v is None or v == () or v == []:
                continue
            if k == "date":
                v = v.isoformat()
            elif isinstance(v, tuple):
                v = list(v)
            elif k == "grade" and self.kind == "prize":
                v = int(v)
            out[k] = v
        return out


def standard_key(ref: str | None) -> str | None:
    """A ref as claims are matched by it: the normalised standard number when it is one, else the
    ref stripped and in capitals (None for no ref)."""
    if not ref:
        return None
    sn = parse_standard_number(ref)
    return sn.key if sn else " ".join(ref.split()).upper()


def identity_detail(a: Achievement) -> str | None:
    """Beside the ref, what tells two claims of one kind apart: the action of a standard, the
    scheme and grade of a prize (DESIGN: duplicates)."""
    if a.kind == "standard":
        return a.action
    if a.kind == "prize":
        return f"{a.prize}/{a.grade or ''}"
    return None


# ---------------------------------------------------------------- field checks

_VALID_USCC: dict[str, str] = {}  # codes already found valid (a batch names few enterprises many times)


def check_uscc(value: Any) -> tuple[str | None, str | None]:
    """(normalised code, None) or (None, translated reason) for a 统一社会信用代码."""
    if isinstance(value, str) and value in _VALID_USCC:
        return _VALID_USCC[value], None
    if not isinstance(value, str) or not value.strip():
        return None, _("the unified social credit code is missing")
    code = unicodedata.normalize("NFKC", value).strip().upper().replace(" ", "").replace("-", "")  # ９１３５… typed full-width
    from stdnum.cn import uscc as _uscc  # on first use: the GUI's start-up shows labels, checks nothing
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    try:
        valid = _uscc.validate(code)
        if len(_VALID_USCC) < 200_000:
            _VALID_USCC[value] = valid
        return valid, None
    except InvalidLength:
        return None, _("a unified social credit code has 18 characters, this has {n}").format(n=len(code))
    except InvalidChecksum:
        expected = _uscc.calc_check_digit(code[:17]) if _uscc.compact(code[:17]).isalnum() else "?"
        return None, _("the check character is wrong (the last character should be {c})").format(c=expected)
    except (InvalidFormat, InvalidComponent):
        return None, _("{code} is not a valid unified social credit code").format(code=code)


def _ref_text(value: str) -> str:
    """A reference as typed, with a standard number's full-width letters, digits and signs
    (ＧＢ／Ｔ　１２３４５－２０２４) made half-width; other text (a project's name) is left as it is."""
    if value.isascii():
        return value
    folded = unicodedata.normalize("NFKC", value).replace("－", "-").replace("—", "-")
    return folded if parse_standard_number(folded) is not None else value


def _check_date(value: Any) -> tuple[dt.date | None, str | None]:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        d = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            d = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None, _("{value} is not a real date").format(value=value)
    else:
        return None, _("a date is written as YYYY-MM-DD, not {value!r}").format(value=value)
    if d < MIN_DATE or d.year > 2100:
        return None, _("{value} is outside the years the program accepts").format(value=d.isoformat())
    if isinstance(value, str) and len(_VALID_DATES) < 100_000:
        _VALID_DATES[value] = d
    return d, None


def _check_rank(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None, _("the rank must be a whole number (1 = lead/first drafting unit)")
    try:
        n = int(value)
    except ValueError:
        return None, _("the rank must be a whole number (1 = lead/first drafting unit)")
    if n < 1:
        return None, _("the rank starts at 1 (1 = lead/first drafting unit), not {n}").format(n=n)
    if n > 999:
        return None, _("the rank {n} is not plausible").format(n=n)
    return n, None


def _check_bool(value: Any) -> tuple[bool | None, str | None]:
    if isinstance(value, bool):
        return value, None
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "是", "1", "false", "no", "否", "0"):
        return value.strip().lower() in ("true", "yes", "是", "1"), None
    return None, _("must be true or false, not {value!r}").format(value=value)


def _check_enum(value: Any, allowed: tuple[str, ...]) -> tuple[str | None, str | None]:
    if isinstance(value, str) and value.strip().lower() in allowed:
        return value.strip().lower(), None
    return None, _("{value!r} is not one of: {allowed}").format(value=value, allowed=", ".join(allowed))


def _check_prize_grade(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, bool) and str(value).strip() in ("1", "2", "3"):
        return str(value).strip(), None
    return None, _("the prize grade is 1, 2 or 3, not {value!r}").format(value=value)


def _check_abc_grade(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, str) and _ABC.match(value.strip().upper()):
        return value.strip().upper(), None
    return None, _("the grade is written A to AAAAA, not {value!r}").format(value=value)


def _str_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
        return tuple(x.strip() for x in value if x.strip())
    return None


# ---------------------------------------------------------------- records

# ---- fast path: a record whose every value is already in canonical form is built without the
# general checks (same result, a fraction of the cost); anything unusual goes the long way.
_ENUM_SETS = {k: {f: frozenset(allowed) for f, (_r, chk, allowed) in spec.items() if chk == "enum"}
              for k, spec in _KIND_FIELDS.items()}
_ALLOWED_KEYS = {k: frozenset(COMMON_FIELDS + EXTRA_FIELDS + tuple(spec)) for k, spec in _KIND_FIELDS.items()}
_REQUIRED = {k: tuple(f for f, (req, _c, _a) in spec.items() if req) for k, spec in _KIND_FIELDS.items()}
_VALID_DATES: dict[str, dt.date] = {}
_PRIZE_GRADES = {1: "1", 2: "2", 3: "3", "1": "1", "2": "2", "3": "3"}
_ABC_GRADES = frozenset(("A", "AA", "AAA", "AAAA", "AAAAA"))
_SIMPLE_TEXT = ("ref", "title", "enterprise_name", "note")


def _fast_parse(raw: dict[str, Any]) -> Achievement | None:
    kind = raw.get("kind")
    if type(kind) is not str:
        return None
    allowed = _ALLOWED_KEYS.get(kind)
    if allowed is None or not raw.keys() <= allowed:
        return None
    rid, ent, date = raw.get("id"), raw.get("enterprise"), raw.get("date")
    if (type(rid) is not str or not rid or rid[0].isspace() or rid[-1].isspace() or len(rid) > 64
            or _FORBIDDEN.search(rid) or type(ent) is not str or type(date) is not str):
        return None
    ent, date = _VALID_USCC.get(ent), _VALID_DATES.get(date)
    if ent is None or date is None:
        return None
    for f in _REQUIRED[kind]:
        if raw.get(f) is None:
            return None
    a = Achievement(rid, ent, kind, date)
    enums = _ENUM_SETS[kind]
    for key, v in raw.items():
        if key in enums:
            if type(v) is not str or v not in enums[key]:
                return None
            setattr(a, key, v)
        elif key == "rank":
            if type(v) is not int or not 1 <= v <= 999:
                return None
            a.rank = v
        elif key == "accepted":
            if type(v) is not bool:
                return None
            a.accepted = v
        elif key == "grade":
            if type(v) not in (str, int):
                return None
            g = _PRIZE_GRADES.get(v) if kind == "prize" else (v if v in _ABC_GRADES else None)
            if g is None:
                return None
            a.grade = g
        elif key in _SIMPLE_TEXT:
            if v is None or v == "":
                continue
            if type(v) is not str or len(v) > MAX_TEXT[key] or _FORBIDDEN.search(v):
                return None
            if key == "ref" and not v.isascii():
                return None  # full-width forms: the general path normalises them
            v = " ".join(v.split()) if key == "ref" else v.strip()
            if not v or (key != "note" and _FORBIDDEN_LINE.search(v)):
                return None
            setattr(a, key, v)
        elif key in ("id", "enterprise", "kind", "date"):
            continue
        else:  # evidence, units, uuid: the general path checks them
            return None
    if kind in _REF_REQUIRED and not a.ref:
        return None
    return a


def parse_achievement(raw: Any, position: int | None = None,
                      problems: list[Problem] | None = None) -> Achievement | None:
    """Parse one record; append every problem to ``problems`` (or raise ValidationFailed)."""
    if type(raw) is dict:
        fast = _fast_parse(raw)
        if fast is not None:
            if fast.kind == "standard" and fast.ref:
                warning = _level_warning(fast.id, fast.ref, fast.level)  # type: ignore[arg-type]
                if warning is not None:
                    if problems is None:
                        return fast
                    problems.append(warning)
            return fast
    own: list[Problem] = []
    sink = own if problems is None else problems
    start = len(sink)
    where = f"#{position + 1}" if position is not None else "?"
    if not isinstance(raw, dict):
        sink.append(Problem(where, "-", _("an achievement must be an object with named fields")))
        return _finish(own, problems)
    rid = raw.get("id")
    if isinstance(rid, (str, int)) and not isinstance(rid, bool) and str(rid).strip():
        rid = str(rid).strip()
        why = text_problem(rid, "id")
        if why:
            sink.append(Problem(where, "id", why))
            rid = where
    else:
        sink.append(Problem(where, "id", _("every achievement needs an id")))
        rid = where

    def bad(fld: str, msg: str, severity: str = "error") -> None:
        sink.append(Problem(rid, fld, msg, severity))

    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in _KIND_FIELDS:
        shown = repr(kind) if isinstance(kind, str) and text_problem(kind, "id") is None else _("(not a known kind)")
        bad("kind", _("unknown kind {kind}; known kinds: {kinds}").format(kind=shown, kinds=", ".join(KINDS)))
        if why := check_uscc(raw.get("enterprise"))[1]:
            bad("enterprise", why)
        return _finish(own, problems, start, sink)
    spec = _KIND_FIELDS[kind]

    for key in raw:
        if key not in COMMON_FIELDS and key not in EXTRA_FIELDS and key not in spec:
            if key in ALL_FIELDS:
                bad(key, _("the field {field} does not apply to kind {kind}").format(field=key, kind=kind))
            else:
                bad(key, _("unknown field {field}").format(field=key))

    ent, why = check_uscc(raw.get("enterprise"))
    if why:
        bad("enterprise", why)
    date, why = _check_date(raw.get("date"))
    if why:
        bad("date", why)

    values: dict[str, Any] = {}
    for fld in ("ref", "title", "enterprise_name", "note"):
        v = raw.get(fld)
        if v is None or v == "":
            continue
        if not isinstance(v, str):
            bad(fld, _("must be text"))
        elif (why := text_problem(v, fld)) is not None:
            bad(fld, why)
        else:
            values[fld] = " ".join(_ref_text(v).split()) if fld == "ref" else v.strip()
    if kind in _REF_REQUIRED and not values.get("ref"):
        bad("ref", _("a reference (standard number or product) is required for this kind"))
    for fld in ("evidence", "units"):
        v = raw.get(fld)
        if v is not None:
            lst = _str_list(v)
            if lst is None:
                bad(fld, _("must be a list of text items"))
            elif len(lst) > MAX_LIST:
                bad(fld, _("lists {n} items; at most {limit} are accepted").format(n=len(lst), limit=MAX_LIST))
            elif any((why := text_problem(x, fld)) is not None for x in lst):
                bad(fld, why)  # type: ignore[arg-type]
            else:
                values[fld] = lst
    u = raw.get("uuid")
    if u is not None:
        try:
            values["uuid"] = str(uuidlib.UUID(str(u)))
        except ValueError:
            bad("uuid", _("{value!r} is not a UUID").format(value=u))

    val: str | int | bool | None
    for fld, (required, check, allowed) in spec.items():
        v = raw.get(fld)
        if v is None or v == "":
            if required:
                bad(fld, _("required for an achievement of the kind {kind}").format(kind=kind_label(kind)))
            continue
        if check == "enum":
            val, why = _check_enum(v, allowed)
        elif check == "rank":
            val, why = _check_rank(v)
        elif check == "bool":
            val, why = _check_bool(v)
        elif check == "prize_grade":
            val, why = _check_prize_grade(v)
        else:
            val, why = _check_abc_grade(v)
        if why:
            bad(fld, why)
        else:
            values[fld] = val

    # A standard number that says another level than the record: a warning, not an error.
    if kind == "standard" and values.get("ref") and values.get("level"):
        warning = _level_warning(rid, values["ref"], values["level"])
        if warning is not None:
            sink.append(warning)

    if any(p.severity == "error" for p in sink[start:]):
        return _finish(own, problems, start, sink)
    return Achievement(id=rid, enterprise=ent, kind=kind, date=date, **values)  # type: ignore[arg-type]


def _level_warning(rid: str, ref: str, level: str) -> Problem | None:
    found = standard_level(ref)
    if found is None:
        return Problem(rid, "ref", _("{ref} is not a recognised standard number").format(ref=ref), "warning")
    if found != level:
        return Problem(rid, "ref", _("{ref} looks like a {found} standard but the level says {level}").format(
            ref=ref, found=level_label(found), level=level_label(level)), "warning")
    return None


def _finish(own: list[Problem], problems: list[Problem] | None, start: int = 0,
            sink: list[Problem] | None = None) -> Achievement | None:  # None: the record is refused
    if problems is None and any(p.severity == "error" for p in own):
        raise ValidationFailed(own)
    return None


def parse_batch(records: Iterable[Any]) -> tuple[list[Achievement], list[Problem]]:
    """Parse every record; ids must be unique in the batch. Returns (achievements, problems)."""
    problems: list[Problem] = []
    out: list[Achievement] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(records):
        a = parse_achievement(raw, i, problems)
        if a is None:
            continue
        if a.id in seen:
            problems.append(Problem(a.id, "id", _("the id {id} is used twice in this batch (records {a} and {b})").format(
                id=a.id, a=seen[a.id] + 1, b=i + 1)))
            continue
        seen[a.id] = i
        out.append(a)
    return out, problems


# ---------------------------------------------------------------- enterprises

@dataclass(frozen=True, slots=True)
class Enterprise:
    uscc: str
    name: str
    region: str | None = None  # GB/T 2260 code of the county
    address: str | None = None
    contact: str | None = None
    phone: str | None = None
    uuid: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}
        return d


ENTERPRISE_FIELDS = ("uscc", "name", "region", "address", "contact", "phone", "uuid")


def parse_enterprise(raw: Any, position: int, problems: list[Problem], city_level: bool = True) -> Enterprise | None:
    """``city_level``: a city's code (county part 00) is accepted (the office is a city's, or unknown)."""
    from desktop.core.contacts import normalise, phone_problem, region_problem

    start = len(problems)
    where = f"enterprise #{position + 1}"
    if not isinstance(raw, dict):
        problems.append(Problem(where, "-", _("an enterprise must be an object with named fields")))
        return None
    code, why = check_uscc(raw.get("uscc"))
    rid = code or safe_label(raw.get("uscc"), where)
    if why:
        problems.append(Problem(rid, "uscc", why))
    for key in raw:
        if key not in ENTERPRISE_FIELDS:
            problems.append(Problem(rid, key, _("unknown field {field}").format(field=key)))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(rid, "name", _("the enterprise name is required")))
    elif (why := text_problem(name, "name")) is not None:
        problems.append(Problem(rid, "name", why))
    region = raw.get("region")
    if region is not None and (why := region_problem(region, city_level)) is not None:
        problems.append(Problem(rid, "region", why))
    u = raw.get("uuid")
    if u is not None:
        try:
            u = str(uuidlib.UUID(str(u)))
        except ValueError:
            problems.append(Problem(rid, "uuid", _("{value!r} is not a UUID").format(value=raw.get("uuid"))))
    for fld in ("address", "contact", "phone"):
        if raw.get(fld) is not None and not isinstance(raw.get(fld), str):
            problems.append(Problem(rid, fld, _("must be text")))
        elif isinstance(raw.get(fld), str) and (why := text_problem(raw[fld], fld)) is not None:
            problems.append(Problem(rid, fld, why))
    phone = raw.get("phone")
    if isinstance(phone, str) and not any(p.field == "phone" for p in problems[start:]) and (
            why := phone_problem(phone)) is not None:
        problems.append(Problem(rid, "phone", why))
    if len(problems) > start or code is None or not isinstance(name, str):  # (both are problems above)
        return None
    return Enterprise(uscc=code, name=" ".join(name.split()), region=normalise(region) if region else None,
                      address=raw.get("address"), contact=raw.get("contact"),
                      phone=normalise(phone) if isinstance(phone, str) and phone.strip() else None, uuid=u)


def split_input(data: Any) -> tuple[list[Any], list[Any]]:
    """Accept a list of achievements, or {"enterprises": [...], "achievements": [...]}."""
    if isinstance(data, list):
        return [], data
    if isinstance(data, dict) and set(data) <= {"enterprises", "achievements", "format", "version"}:
        ents, achs = data.get("enterprises", []), data.get("achievements", [])
        if isinstance(ents, list) and isinstance(achs, list):
            return ents, achs
    raise shape_problem()


def shape_problem() -> ValidationFailed:
    """The refusal of a document that is neither of the load shapes (the streamed reader's too)."""
    return ValidationFailed([Problem("-", "-", _(
        "the file must hold a list of achievements, or an object with \"enterprises\" and \"achievements\" lists"))])
