"""The paying award lines of the counties, summed once at import time (schema 7, table ``award_sum``).

A city (or a province) consolidates what its counties sent: at 10,000,000 award lines, summing them
again for every report takes the server tens of seconds. The sums per (round, county, year, rule,
fund) are therefore kept in ``award_sum``, worked out by the database from the award lines of a
county (``refresh``) in the same transaction as every write that changes them: the import of a
county's package (which may replace its earlier one or carry tombstones), the schema-7 upgrade
(every county's lines), a copy or restore carries the table with the rows it summarises.

Only the rounds other offices sent are kept (``summed_round``: round uuid -> the sender whose import
keeps it): the office's own rounds change with every computation and review here, and are few, so
the report sums their lines directly. Any other write to a kept round's lines (a review at the city,
an edit with another tool) takes the round out of ``summed_round`` by a trigger, in the same
statement: from then on its lines are summed at each report, until its sender's next import. The
enterprises each county sent of another county's are kept the same way (``sent_enterprise``, with
the origins a write touched listed in ``stale_origin`` until an import works them out again).

What pays: status awarded or discretionary, an amount, not rejected (``PAID``). A group's clause
and policy are the least of its lines' (in code point order, as SQLite and Python compare text).
The totals are exact: PostgreSQL's ``numeric``, on SQLite ``stdaward_money_sum`` (Decimal); stored
as text like the amounts.

``direct(where, params)`` is the same sum straight from the award lines: the report's recount
(``consolidate --recount``) compares the two, so a summary changed by hand, or left behind by a path
that forgot to refresh it, shows.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from desktop.store.backend import collapse_space, is_postgres, json_item, json_valid, json_values
from desktop.store.models import database

PAID = "w.status IN ('awarded', 'discretionary') AND w.decision != 'rejected' AND w.amount IS NOT NULL"

_GROUP = "r.uuid, a.origin, r.year, COALESCE(NULLIF(w.rule, ''), '-'), COALESCE(NULLIF(w.fund, ''), '-')"
_SUM_SQL = """
SELECT r.uuid, a.origin, r.year, COALESCE(NULLIF(w.rule, ''), '-'), COALESCE(NULLIF(w.fund, ''), '-'),
       MIN(w.clause{c}), MIN(r.policy_id{c}), COUNT(*), {total}
FROM award w JOIN award_round r ON r.id = w.round_id JOIN achievement a ON a.id = w.achievement_id
WHERE {paid}{where}
GROUP BY """ + _GROUP
COLUMNS = "round_uuid, origin, year, rule, fund, clause, policy_id, count, total"


class _MoneySum:
    """SQLite's exact sum of amounts stored as text (its own SUM would add them as floats)."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: Any) -> None:
        if value is not None:
            self.total = (self.total if self.total is not None else Decimal("0")) + Decimal(str(value))

    def finalize(self) -> str | None:
        return None if self.total is None else format(self.total, "f")


def _sum_sql(where: str) -> str:
    if is_postgres():
        total, collate = "CAST(SUM(CAST(w.amount AS numeric)) AS TEXT)", ' COLLATE "C"'
    else:
        database.connection().create_aggregate("stdaward_money_sum", 1, _MoneySum)
        total, collate = "stdaward_money_sum(w.amount)", ""  # SQLite compares text in code point order
    return _SUM_SQL.format(total=total, c=collate, paid=PAID, where=where)


def _rows(cursor: Any) -> list[tuple[Any, ...]]:
    return [(*row[:8], Decimal(row[8])) for row in cursor.fetchall()]


def direct(where: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """(round uuid, origin, year, rule, fund, clause, policy id, count, total) of the paying award
    lines, summed from the lines themselves (``where``: more conditions over ``w``, ``r``, ``a``)."""
    return _rows(database.execute_sql(_sum_sql(where), params))


def kept(where: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The same tuples as ``direct`` for the rounds other offices sent, read from ``award_sum``
    (``where``: more conditions over ``s``: ``s.year``, ``s.round_uuid``)."""
    cols = ", ".join(f"s.{c}" for c in COLUMNS.split(", "))
    return _rows(database.execute_sql(f"SELECT {cols} FROM award_sum s JOIN summed_round m ON m.round_uuid = s.round_uuid "
                                      f"WHERE 1 = 1{where}", params))


BASE_PREFIX = "exchange.base."  # the import's record of the rows each sender sent (``importer._base_key``)


def sent_rounds(sender: str) -> list[str]:
    """The uuids of the rounds ``sender`` has sent here, out of the import's record of what it sent
    (``{"rounds": "uuid:hash uuid:hash ...", ...}``; a record in another shape sends none)."""
    row = database.execute_sql("SELECT value FROM setting WHERE key = ?", [BASE_PREFIX + sender]).fetchone()
    try:
        value = json.loads(row[0]) if row and isinstance(row[0], str) else None
    except ValueError:
        value = None
    text = value.get("rounds") if isinstance(value, dict) else None
    return sorted({p.split(":", 1)[0] for p in text.split()}) if isinstance(text, str) else []


def _note(sender: str) -> list[int]:
    """Note the rounds ``sender`` sent (that are here) in ``summed_round``; returns their row ids."""
    sent = json.dumps(sent_rounds(sender))
    database.execute_sql(f"INSERT INTO summed_round (round_uuid, sender) SELECT uuid, ? FROM award_round "
                         f"WHERE uuid IN ({json_values()}) AND uuid NOT IN (SELECT round_uuid FROM summed_round)",
                         [sender, sent])  # a round two senders passed on: kept once, under the first
    return [i for (i,) in database.execute_sql("SELECT r.id FROM award_round r JOIN summed_round m ON m.round_uuid = "
                                               "r.uuid WHERE m.sender = ?", [sender])]


def refresh(sender: str) -> int:
    """Sum the paying lines of the rounds ``sender`` sent (``sent_rounds``) that are not kept yet
    into ``award_sum``, in the caller's transaction, and note them in ``summed_round``; the rounds
    it no longer sends (or that are gone) leave both. A round still noted is left as it is: every
    write to its lines (an import's own, ``write_ends``; any other, by trigger) takes it out of
    ``summed_round``, so what is noted is summed as its lines now are. Returns the groups summed."""
    before = {u for (u,) in database.execute_sql("SELECT round_uuid FROM summed_round WHERE sender = ?", [sender])}
    sent = json.dumps(sent_rounds(sender))
    here = {u for (u,) in database.execute_sql(f"SELECT uuid FROM award_round WHERE uuid IN ({json_values()})",
                                               [sent])}
    gone = json.dumps(sorted(before - here))
    if before - here:
        database.execute_sql(f"DELETE FROM award_sum WHERE round_uuid IN ({json_values()})", [gone])
        database.execute_sql(f"DELETE FROM summed_round WHERE round_uuid IN ({json_values()})", [gone])
    noted = {u for (u,) in database.execute_sql(f"SELECT round_uuid FROM summed_round WHERE round_uuid IN "
                                                f"({json_values()})", [sent])}
    todo = json.dumps(sorted(here - noted))  # a round two senders passed on: kept once, under the first
    if here <= noted:
        return 0
    database.execute_sql(f"DELETE FROM award_sum WHERE round_uuid IN ({json_values()})", [todo])  # left stale
    database.execute_sql(f"INSERT INTO summed_round (round_uuid, sender) SELECT value, ? FROM ({json_values()}) v "
                         f"WHERE true", [sender, todo])
    ids = [i for (i,) in database.execute_sql(f"SELECT id FROM award_round WHERE uuid IN ({json_values()})", [todo])]
    cur = database.execute_sql(f"INSERT INTO award_sum ({COLUMNS}) {_sum_sql(in_rounds(sorted(ids)))}", [])
    return int(cur.rowcount or 0)


def refresh_all() -> None:
    """Every sender's rounds summed again (in one pass over the award lines), every origin's
    enterprise pairs worked out again (the schema-7 upgrade; a repair)."""
    database.execute_sql("DELETE FROM sent_enterprise")
    database.execute_sql("DELETE FROM stale_origin")
    database.execute_sql(f"INSERT INTO sent_enterprise (origin, enterprise_id) {_PAIRS}")
    refresh_claims(None)
    database.execute_sql("DELETE FROM award_sum")
    database.execute_sql("DELETE FROM summed_round")
    ids: list[int] = []
    for (key,) in database.execute_sql("SELECT key FROM setting WHERE key LIKE ?", [BASE_PREFIX + "%"]).fetchall():
        ids += _note(key[len(BASE_PREFIX):])
    if ids:
        database.execute_sql(f"INSERT INTO award_sum ({COLUMNS}) {_sum_sql(in_rounds(sorted(set(ids))))}", [])


def in_rounds(ids: list[int]) -> str:
    """The condition "the line is of one of the rounds ``ids``" (row ids written out: an index
    look-up per round on both engines, where a JSON list would be compared as text)."""
    return f" AND w.round_id IN ({', '.join(str(int(i)) for i in ids)})"


def local_round_ids() -> list[int]:
    """The rounds whose lines no sum is kept of: this office's own (summed at each report)."""
    return [i for (i,) in database.execute_sql(
        "SELECT id FROM award_round WHERE uuid NOT IN (SELECT round_uuid FROM summed_round) ORDER BY id")]


def differences(summed: list[tuple[Any, ...]] | None = None) -> list[dict[str, Any]]:
    """Where ``award_sum`` and the award lines of the rounds it sums disagree: per county (origin),
    what each gives (count and total) when any of its groups differs; empty when they agree.
    ``summed``: every round's groups as ``direct`` summed them already (a recount's report), else
    summed here."""
    held: dict[Any, tuple[int, Decimal]] = {}
    for row in kept("", []):
        held[row[:7]] = (row[7], row[8])
    lines: dict[Any, tuple[int, Decimal]] = {}
    if summed is None:
        summed = direct(" AND r.uuid IN (SELECT round_uuid FROM summed_round)", [])
    else:
        rounds = {u for (u,) in database.execute_sql("SELECT round_uuid FROM summed_round")}
        summed = [row for row in summed if row[0] in rounds]
    for row in summed:
        lines[row[:7]] = (row[7], row[8])
    origins = sorted({k[1] for k in set(held) | set(lines) if held.get(k) != lines.get(k)}, key=lambda o: o or "")
    out = []
    for origin in origins:
        mine_h = [v for k, v in held.items() if k[1] == origin]
        mine_l = [v for k, v in lines.items() if k[1] == origin]
        out.append({"origin": origin, "kept_count": sum(v[0] for v in mine_h),
                    "kept_total": sum((v[1] for v in mine_h), Decimal("0.00")),
                    "count": sum(v[0] for v in mine_l), "total": sum((v[1] for v in mine_l), Decimal("0.00"))})
    return out


# ------------------------------------------------------------------ the claim check's keys and indexes

# What names the thing claimed, per kind: (which rows, the thing, the group key's columns in the
# inner query, the group key, the same key over the outer row). A standard: its normalised number (the
# third part of its natural key); a prize: its scheme, its standard's number (or its title with the
# white space collapsed) and its year.
def claim_sql() -> dict[str, tuple[str, str, str, str, str]]:
    """The claim groups' SQL pieces in the open database's own functions (SQLite or PostgreSQL)."""
    key, valid, ws = json_item("a.natural_key", 2), json_valid("a.natural_key"), collapse_space("a.title")
    year = "substr(CAST(a.date AS TEXT), 1, 4)"
    prize = f"COALESCE(CASE WHEN a.ref IS NOT NULL AND a.ref != '' AND {valid} THEN NULLIF({key}, '') END, {ws})"
    return {
        "standard": (f"a.ref IS NOT NULL AND a.ref != '' AND {valid}", key, f"{key} AS k", "k", key),
        "prize": ("1 = 1", prize, f"COALESCE(a.prize, '') AS p, {prize} AS k, {year} AS y", "p, k, y",
                  f"COALESCE(a.prize, ''), {prize}, {year}"),
    }


# PostgreSQL: the claim keys kept in an index per kind, so the check reads the keys from it, sorted,
# instead of working every record's key out twice. Part of schema 7 (``claim_indexes``: built by the
# upgrade and with a new server database, so no report pays for their first build; a report that
# finds one missing, dropped at the server, builds it again). Named with a version: a changed
# definition is a new index, never a stale one taken for it.
CLAIM_INDEXES = {"standard": "achievement_standard_claim_v1", "prize": "achievement_prize_claim_v1"}


def index_sql(kind: str) -> str:
    """The claim index of ``kind``: the key first (looked up by it), what the groups are made of
    (the scheme, the date, the county), and the columns the key is worked out from included, as
    PostgreSQL reads an expression from an index only when the columns it is made of are there."""
    rows, thing = claim_sql()[kind][:2]
    rows, thing = rows.replace("a.", ""), thing.replace("a.", "")
    if kind == "standard":
        return (f"CREATE INDEX IF NOT EXISTS {CLAIM_INDEXES[kind]} ON achievement (({thing}), (COALESCE(origin, '')), "
                f"date) INCLUDE (natural_key, origin) WHERE kind = 'standard' AND {rows}")
    return (f"CREATE INDEX IF NOT EXISTS {CLAIM_INDEXES[kind]} ON achievement (({thing}), (COALESCE(prize, '')), date, "
            f"(COALESCE(origin, ''))) INCLUDE (natural_key, ref, title, prize, origin) WHERE kind = 'prize'")


# ------------------------------------------------------------------ enterprises another county sent

# The check "an enterprise whose achievements come from another county than the one that registered
# it" needs, per county (the achievement's origin), the enterprises of another origin (or the city's
# own) it sent achievements of: ``sent_enterprise`` keeps those pairs. A write to an achievement (or to
# an enterprise's origin) puts the origins it touches in ``stale_origin`` by a trigger; an import ends
# by working the pairs of every stale origin out again (``refresh_sent``); the report reads the kept
# pairs of the other origins and works out those of any origin still stale.
_PAIRS = ("SELECT DISTINCT a.origin, a.enterprise_id FROM achievement a JOIN enterprise e ON e.id = a.enterprise_id "
          "WHERE a.origin IS NOT NULL AND (e.origin IS NULL OR a.origin != e.origin)")


def stale_origins() -> list[str]:
    return [o for (o,) in database.execute_sql("SELECT origin FROM stale_origin ORDER BY origin")]


def refresh_sent(origins: list[str] | None = None) -> None:
    """The pairs of ``origins`` (None: the stale ones; in ``refresh_all``: every origin) worked out
    again, in the caller's transaction."""
    chosen = stale_origins() if origins is None else origins
    if not chosen:
        return
    values = json.dumps(sorted(chosen))
    database.execute_sql(f"DELETE FROM sent_enterprise WHERE origin IN ({json_values()})", [values])
    database.execute_sql(f"INSERT INTO sent_enterprise (origin, enterprise_id) {_PAIRS} "
                         f"AND a.origin IN ({json_values()})", [values])
    refresh_claims(sorted(chosen))
    database.execute_sql(f"DELETE FROM stale_origin WHERE origin IN ({json_values()})", [values])


def sent_pairs(recount: bool = False) -> list[tuple[int, str]]:
    """(enterprise id, origin) of the achievements of another origin than their enterprise's, sorted:
    the kept pairs of the fresh origins and those of the stale ones worked out here; with ``recount``
    all worked out from the achievements."""
    if recount:
        found = database.execute_sql(_PAIRS).fetchall()
    else:
        found = database.execute_sql("SELECT origin, enterprise_id FROM sent_enterprise WHERE origin NOT IN "
                                     "(SELECT origin FROM stale_origin)").fetchall()
        stale = stale_origins()
        if stale:
            found += database.execute_sql(f"{_PAIRS} AND a.origin IN ({json_values()})", [json.dumps(stale)]).fetchall()
    return sorted((int(e), o) for o, e in found)


def sent_differences() -> list[str]:
    """The origins whose kept pairs (fresh ones) differ from their achievements (compared by the
    database)."""
    found = _differing("SELECT origin, enterprise_id FROM sent_enterprise", _PAIRS, ("origin", "enterprise_id"))
    return sorted(found - set(stale_origins()))


def _differing(held: str, lines: str, columns: tuple[str, ...]) -> set[str]:
    """The origins of the rows that are in ``held`` (what is kept) and not in ``lines`` (worked out
    from the records), or the other way round; both name their columns ``columns``, the first the
    origin, none of them empty. PostgreSQL in one full join of the two (a hash join: each side read
    once; at 10⁶ records 3.8-4.0 s against 8.6-8.8 s for an EXCEPT each way); SQLite, which joins
    by nested loops, by EXCEPT each way over the records' rows worked out once (5.6 s against 9.7 s
    working them out for each EXCEPT)."""
    if is_postgres():
        same = " AND ".join(f"l.{c} = h.{c}" for c in columns)
        sql = (f"SELECT DISTINCT COALESCE(h.{columns[0]}, l.{columns[0]}) FROM ({held}) h FULL JOIN ({lines}) l "
               f"ON {same} WHERE h.{columns[0]} IS NULL OR l.{columns[0]} IS NULL")
    else:
        sql = (f"WITH h AS MATERIALIZED ({held}), l AS MATERIALIZED ({lines}) "
               "SELECT DISTINCT origin FROM (SELECT * FROM h EXCEPT SELECT * FROM l) d UNION "
               "SELECT DISTINCT origin FROM (SELECT * FROM l EXCEPT SELECT * FROM h) e")
    return {o for (o,) in database.execute_sql(sql).fetchall()}


# ------------------------------------------------------------------ the claim keys kept at import

# The check "the same standard or prize claimed in two counties" groups every record by what it
# claims (``claim_sql``). At 10,000,000 records that grouping is most of the report, so what each
# record of another office's county claims is kept in ``claim_key`` (kind, claim, county, year,
# record), worked out at import time for the counties the import touched, and the keys held by two
# counties or more are noted in ``shared_claim``: the report reads those, the keys of the records
# whose keys are not kept (the office's own, origin NULL, and the counties a write outside an import
# made stale: ``stale_origin``) and the kept rows of those keys. A prize's claim is its scheme, its
# number or title and its year in one text, apart by the unit separator (never in a collapsed title).
SEPARATOR = "\x1f"


def register_functions() -> None:
    """SQLite: the functions the claim keys are worked out with (Python's white space)."""
    if not is_postgres():
        database.connection().create_function("stdaward_ws", 1, _ws, deterministic=True)


def _ws(text: str | None) -> str | None:
    """A prize's title with its white space collapsed (what names a prize without a ref), as Python
    splits it (SQLite's own functions know only ASCII white space)."""
    return " ".join(text.split()) or None if text else None


def key_select(kind: str, where: str, source: str = "achievement") -> str:
    """SELECT (kind, claim, origin, year, achievement id) of the records of ``kind`` that claim
    something, with more conditions ``where`` over ``a``, out of ``source`` (a table or subquery;
    another than the table: PostgreSQL works each record's key out once, not once per use)."""
    fence = " OFFSET 0" if source != "achievement" and is_postgres() else ""
    rows, thing = claim_sql()[kind][:2]
    year = "substr(CAST(a.date AS TEXT), 1, 4)"
    sep = "chr(31)" if is_postgres() else "char(31)"
    claim = thing if kind == "standard" else f"COALESCE(a.prize, '') || {sep} || {thing} || {sep} || {year}"
    return (f"SELECT kind, claim, origin, year, id FROM (SELECT '{kind}' AS kind, {claim} AS claim, {thing} AS k, "
            f"a.origin AS origin, {year} AS year, a.id AS id FROM {source} a WHERE a.kind = '{kind}' AND {rows}"
            f"{where}{fence}) c WHERE k IS NOT NULL AND k != ''")


def refresh_claims(origins: list[str] | None) -> None:
    """The claim keys of the records of ``origins`` (None: of every county) worked out again, and the
    keys they share with another county noted, in the caller's transaction."""
    register_functions()
    if origins is None:
        database.execute_sql("DELETE FROM claim_key")
        database.execute_sql("DELETE FROM shared_claim")
        for kind in CLAIM_KINDS:
            database.execute_sql(f"INSERT INTO claim_key (kind, claim, origin, year, achievement_id) "
                                 f"{key_select(kind, ' AND a.origin IS NOT NULL')}")
        database.execute_sql("INSERT INTO shared_claim (kind, claim) SELECT kind, claim FROM claim_key "
                             "GROUP BY kind, claim HAVING min(origin) != max(origin)")
        return
    if not origins:
        return
    values = json.dumps(sorted(origins))
    database.execute_sql(f"DELETE FROM claim_key WHERE origin IN ({json_values()})", [values])
    for kind in CLAIM_KINDS:
        database.execute_sql(f"INSERT INTO claim_key (kind, claim, origin, year, achievement_id) "
                             f"{key_select(kind, f' AND a.origin IN ({json_values()})')}", [values])
    # a key that is no longer shared stays noted: the report counts the counties of every noted key
    database.execute_sql(f"INSERT INTO shared_claim (kind, claim) SELECT DISTINCT c.kind, c.claim FROM claim_key c "
                         f"WHERE c.origin IN ({json_values()}) AND EXISTS (SELECT 1 FROM claim_key d WHERE "
                         f"d.kind = c.kind AND d.claim = c.claim AND d.origin != c.origin) ON CONFLICT DO NOTHING",
                         [values])


CLAIM_KINDS = ("standard", "prize")


_CLAIMED_SQL = """
WITH fly AS ({fly}),
keys AS (SELECT kind, claim FROM shared_claim UNION SELECT kind, claim FROM fly),
held AS (SELECT k.kind, k.claim, c.origin, c.year, c.achievement_id AS id FROM keys k {held}
         UNION ALL SELECT kind, claim, origin, year, id FROM fly),
grouped AS (SELECT h.kind, h.claim, h.id, min(COALESCE(h.origin, '')) OVER w AS lo,
                   max(COALESCE(h.origin, '')) OVER w AS hi
            FROM held h{year} WINDOW w AS (PARTITION BY h.kind, h.claim))
SELECT g.kind, g.claim, a.ref, a.title, a.grade, a.rank, a.origin, a.source_id, a.enterprise_id
FROM (SELECT kind, claim, id FROM grouped WHERE lo != hi ORDER BY id) g {row}
ORDER BY g.id
"""
# PostgreSQL plans a join of the noted keys to claim_key (or of the chosen records to achievement)
# as a scan of the whole table (15 s at 10,000,000); a lateral look-up behind OFFSET 0, which the
# planner does not flatten into a join, reads each key's rows (each record) by its index. SQLite
# loops over the keys and looks each up by the index of itself. The records are looked up in the
# order of their ids, so the table is read front to back (at 10,000,000: 450,000 records on as many
# pages); the caller groups them by claim.
_HELD = {"postgresql": ("CROSS JOIN LATERAL (SELECT c.origin, c.year, c.achievement_id FROM claim_key c "
                        "WHERE c.kind = k.kind AND c.claim = k.claim AND {fresh} OFFSET 0) c"),
         "sqlite": "JOIN claim_key c ON c.kind = k.kind AND c.claim = k.claim AND {fresh}"}
_ROW = {"postgresql": ("CROSS JOIN LATERAL (SELECT a.ref, a.title, a.grade, a.rank, a.origin, a.source_id, "
                       "a.enterprise_id FROM achievement a WHERE a.id = g.id OFFSET 0) a"),
        "sqlite": "JOIN achievement a ON a.id = g.id"}


def claimed_rows(year: int | None) -> list[tuple[Any, ...]]:
    """The records whose claim (of ``year``, or of any) is held by two counties or more (the office's
    own records count as one county), in one statement: (kind, claim, ref, title, grade, rank, origin,
    source id, enterprise id), in the order of the records. The enterprises are left to the caller,
    who reads them all anyway (200,000 at 10,000,000 records: one look-up per record cost more). The
    kept keys of the fresh counties, the keys of the office's own records and of the stale counties
    worked out here; only the rows of the shared keys leave the database."""
    register_functions()
    stale = stale_origins()
    values = json.dumps(stale)
    fly, params = [], []
    for kind in CLAIM_KINDS:  # the office's own records, then the stale counties' (each by the origin's index)
        fly.append(key_select(kind, " AND a.origin IS NULL"))
        if stale:
            fly.append(key_select(kind, f" AND a.origin IN ({json_values()})"))
            params.append(values)
    engine = "postgresql" if is_postgres() else "sqlite"
    fresh = f"c.origin NOT IN ({json_values()})" if stale else "1 = 1"
    where = ""
    if year is not None:
        where, year_params = " WHERE h.year = ?", [f"{year:04d}"]
    else:
        year_params = []
    sql = _CLAIMED_SQL.format(fly=" UNION ALL ".join(fly), held=_HELD[engine].format(fresh=fresh), year=where,
                              row=_ROW[engine])
    return database.execute_sql(sql, [*params, *([values] if stale else []), *year_params]).fetchall()


def claim_differences() -> list[str]:
    """The counties (fresh ones) whose kept claim keys differ from their records' (compared by the
    database: at 10,000,000 records Python never holds either side)."""
    register_functions()
    held = "SELECT origin, kind, claim, year, achievement_id AS id FROM claim_key"
    lines = "SELECT origin, kind, claim, year, id FROM ({}) u".format(" UNION ALL ".join(
        key_select(kind, " AND a.origin IS NOT NULL") for kind in CLAIM_KINDS))
    found = _differing(held, lines, ("origin", "kind", "claim", "year", "id"))
    return sorted(found - set(stale_origins()))


# ------------------------------------------------------------------ an import keeps them itself

# The triggers below fire per statement (PostgreSQL) or per row (SQLite); an import writes its rows
# with one statement per row (executemany), so they would fire 100,000 times for a county's package.
# Inside its own transaction an import therefore tells them to stand aside (PostgreSQL: the
# transaction-local setting ``stdaward.importing``; SQLite: a row of ``deferred_upkeep``, deleted
# before the commit) while it writes, and then does their work once, set-based, from what it wrote:
# the rows after the largest ids before it, and the rows it updated (their values before and after).
# Any other write, in this program or outside it, still fires them.
IMPORTING = "stdaward.importing"


def _defer(on: bool) -> None:
    if is_postgres():
        database.execute_sql("SELECT set_config(?, ?, true)", [IMPORTING, "1" if on else "0"])
    elif on:
        database.execute_sql("INSERT OR IGNORE INTO deferred_upkeep (holder) VALUES (1)")
    else:
        database.execute_sql("DELETE FROM deferred_upkeep")


def _ids_sql(column: str, ids: list[int]) -> str:
    return f"{column} IN ({', '.join(str(int(i)) for i in ids) or 'NULL'})"


def _written(where: str) -> tuple[str, str]:
    """(``where``, ``rows``) for ``key_select`` of the records ``where`` (over ``a``): PostgreSQL
    picks them first, by their ids (else it plans a walk of every record's claim index, the
    condition on the id as a filter: 3 s for a county's 100,000 new records in a city of 10⁶)."""
    if is_postgres():
        return "", f"(SELECT * FROM achievement a WHERE 1 = 1{where} OFFSET 0)"
    return where, "achievement"


REBUILD_CLAIMS_AT = 10000  # records written above which (and above the keys kept) claim_key's indexes are rebuilt


def _kept_claims(where: str, written: int) -> None:
    """The claim keys of the records ``where`` (over ``a``; ``written``: at most how many) of the
    counties, kept, and the keys among them another county holds too noted in ``shared_claim``
    (looked up by key). SQLite, more records than keys kept (a county's first package at a new
    city): ``claim_key``'s indexes are built once after the insert rather than grown row by row."""
    from desktop.store import audit

    first = int(database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM claim_key").fetchone()[0])
    rebuild = audit.drop_indexes_for_bulk("claim_key", written, REBUILD_CLAIMS_AT)
    for kind in CLAIM_KINDS:
        chosen, rows = _written(" AND a.origin IS NOT NULL" + where)
        database.execute_sql(f"INSERT INTO claim_key (kind, claim, origin, year, achievement_id) "
                             f"{key_select(kind, chosen, rows)}")
    for sql in rebuild:
        database.execute_sql(sql)
    # the new keys taken by their row ids (MATERIALIZED: for its DISTINCT the planner would otherwise read
    # the whole key index, every county's keys, 0.06 s for a city of a million)
    database.execute_sql("WITH c AS MATERIALIZED (SELECT kind, claim, origin FROM claim_key WHERE id > ?) "
                         "INSERT INTO shared_claim (kind, claim) SELECT DISTINCT c.kind, c.claim FROM c "
                         "WHERE EXISTS (SELECT 1 FROM claim_key d WHERE d.kind = c.kind AND "
                         "d.claim = c.claim AND d.origin != c.origin) ON CONFLICT DO NOTHING", [first])


def write_begins(updated: dict[str, list[int]]) -> dict[str, Any]:
    """Call inside the import's transaction, before its bulk write: the triggers stand aside, and
    what the write may change is noted (``updated``: table -> ids of the rows it will update); the
    claim keys of the records it updates leave ``claim_key`` (as their rows still are)."""
    register_functions()
    mark: dict[str, Any] = {"updated": {t: sorted(set(ids)) for t, ids in updated.items()}}
    for table in ("achievement", "award"):
        mark[table] = int(database.execute_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])
    ach, aw = mark["updated"].get("achievement", []), mark["updated"].get("award", [])
    mark["enterprises"] = [int(e) for (e,) in database.execute_sql(
        f"SELECT DISTINCT enterprise_id FROM achievement WHERE {_ids_sql('id', ach)}")] if ach else []
    mark["rounds"] = [int(r) for (r,) in database.execute_sql(
        f"SELECT DISTINCT round_id FROM award WHERE {_ids_sql('id', aw)}")] if aw else []
    if ach:
        for kind in CLAIM_KINDS:  # the very rows kept of them, found by key
            chosen, rows = _written(" AND " + _ids_sql("a.id", ach))
            database.execute_sql("DELETE FROM claim_key WHERE (kind, claim, origin, achievement_id) IN (SELECT kind, "
                                 f"claim, origin, id FROM ({key_select(kind, chosen, rows)}) k)")
    _defer(True)
    return mark


def write_ends(mark: dict[str, Any]) -> None:
    """After the import's bulk write: the triggers in force again, and what they would have done
    for the rows it wrote done at once, for those rows only: the rounds whose lines it wrote leave
    the kept sums (its sender's are summed again at the end of the import, ``refresh``); the claim
    keys of the records it wrote are kept, and the enterprise pairs of their enterprises (and of
    the enterprises it updated: one that moved to another county) worked out again. A county made
    stale by another write stays so until ``refresh_sent``."""
    _defer(False)
    upd = mark["updated"]
    ach, aw, ent, rnd = (upd.get(t, []) for t in ("achievement", "award", "enterprise", "award_round"))
    rounds = set(mark["rounds"]) | set(rnd)
    rounds |= {int(r) for (r,) in database.execute_sql("SELECT DISTINCT round_id FROM award WHERE id > ?",
                                                         [mark["award"]])}
    if aw:
        rounds |= {int(r) for (r,) in database.execute_sql(f"SELECT DISTINCT round_id FROM award WHERE "
                                                             f"{_ids_sql('id', aw)}")}
    if ach:
        rounds |= {int(r) for (r,) in database.execute_sql(f"SELECT DISTINCT round_id FROM award WHERE "
                                                             f"{_ids_sql('achievement_id', ach)}")}
    if rounds:
        database.execute_sql(f"DELETE FROM summed_round WHERE round_uuid IN (SELECT uuid FROM award_round WHERE "
                             f"{_ids_sql('id', sorted(rounds))})")
    inserted = int(database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM achievement").fetchone()[0]) - mark[
        "achievement"]
    written = [(f" AND a.id > {int(mark['achievement'])}", inserted)] + (
        [(" AND " + _ids_sql("a.id", ach), len(ach))] if ach else [])
    for where, count in written:
        _kept_claims(where, count)
    enterprises = set(mark["enterprises"]) | set(ent)
    for where, _count in written:
        # the rows written, by their ids (for the DISTINCT the planner would read the whole enterprise index)
        enterprises |= {int(e) for (e,) in database.execute_sql(
            f"WITH w AS MATERIALIZED (SELECT a.enterprise_id FROM achievement a WHERE 1 = 1{where}) "
            f"SELECT DISTINCT enterprise_id FROM w")}
    if enterprises:
        chosen = _ids_sql("enterprise_id", sorted(enterprises))
        database.execute_sql(f"DELETE FROM sent_enterprise WHERE {chosen}")
        database.execute_sql(f"INSERT INTO sent_enterprise (origin, enterprise_id) {_PAIRS} AND a.{chosen}")


# ------------------------------------------------------------------ every other write: the round goes stale

# A write to a round's lines that is not an import (a computation or review here, an edit outside the
# program) takes the round out of ``summed_round`` in the same statement, by a trigger: its lines are
# then summed directly at each report, until the sender's next import sums them again. So the report
# is never out of date, whoever wrote to the lines and however.
_FREE = "NOT EXISTS (SELECT 1 FROM deferred_upkeep)"  # not inside an import's bulk write (``write_begins``)
# the columns a claim key is worked out of (``key_select``), with the county and the enterprise
_CLAIM_COLUMNS = ("origin", "enterprise_id", "kind", "date", "ref", "title", "prize", "natural_key")
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS award_sum_stale_insert AFTER INSERT ON award WHEN {_FREE} BEGIN "
    "DELETE FROM summed_round WHERE round_uuid = (SELECT uuid FROM award_round WHERE id = NEW.round_id); END",
    f"CREATE TRIGGER IF NOT EXISTS award_sum_stale_update AFTER UPDATE ON award WHEN {_FREE} BEGIN "
    "DELETE FROM summed_round WHERE round_uuid IN (SELECT uuid FROM award_round WHERE id IN (OLD.round_id, "
    "NEW.round_id)); END",
    f"CREATE TRIGGER IF NOT EXISTS award_sum_stale_delete AFTER DELETE ON award WHEN {_FREE} BEGIN "
    "DELETE FROM summed_round WHERE round_uuid = (SELECT uuid FROM award_round WHERE id = OLD.round_id); END",
    f"CREATE TRIGGER IF NOT EXISTS award_sum_stale_round AFTER UPDATE ON award_round WHEN {_FREE} BEGIN "
    "DELETE FROM summed_round WHERE round_uuid IN (OLD.uuid, NEW.uuid); END",
    "CREATE TRIGGER IF NOT EXISTS award_sum_stale_origin AFTER UPDATE OF origin ON achievement "
    f"WHEN OLD.origin IS NOT NEW.origin AND {_FREE} BEGIN DELETE FROM summed_round WHERE round_uuid IN "
    "(SELECT r.uuid FROM award w JOIN award_round r ON r.id = w.round_id WHERE w.achievement_id = NEW.id); END",
    "CREATE TRIGGER IF NOT EXISTS sent_stale_insert AFTER INSERT ON achievement WHEN NEW.origin IS NOT NULL "
    f"AND {_FREE} BEGIN INSERT OR IGNORE INTO stale_origin (origin) VALUES (NEW.origin); END",
    f"CREATE TRIGGER IF NOT EXISTS sent_stale_update AFTER UPDATE OF {', '.join(_CLAIM_COLUMNS)} ON achievement "
    "WHEN (" + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _CLAIM_COLUMNS) + f") AND {_FREE} BEGIN "
    "INSERT OR IGNORE INTO stale_origin (origin) SELECT OLD.origin WHERE OLD.origin IS NOT NULL; "
    "INSERT OR IGNORE INTO stale_origin (origin) SELECT NEW.origin WHERE NEW.origin IS NOT NULL; END",
    "CREATE TRIGGER IF NOT EXISTS sent_stale_delete AFTER DELETE ON achievement WHEN OLD.origin IS NOT NULL "
    f"AND {_FREE} BEGIN INSERT OR IGNORE INTO stale_origin (origin) VALUES (OLD.origin); END",
    "CREATE TRIGGER IF NOT EXISTS sent_stale_enterprise AFTER UPDATE OF origin ON enterprise "
    f"WHEN OLD.origin IS NOT NEW.origin AND {_FREE} BEGIN INSERT OR IGNORE INTO stale_origin (origin) "
    "SELECT DISTINCT origin FROM achievement WHERE enterprise_id = NEW.id AND origin IS NOT NULL; END",
]
# PostgreSQL: once per statement, with the rows it wrote (a COPY of 100,000 lines: one delete)
_STALE_LINES = ("DELETE FROM summed_round WHERE round_uuid IN (SELECT r.uuid FROM award_round r WHERE r.id IN "
                "(SELECT round_id FROM {rows}))")
_PG_CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in _CLAIM_COLUMNS)
_PG_FUNCTIONS = {
    "stdaward_sums_new": _STALE_LINES.format(rows="new_rows"),
    "stdaward_sums_old": _STALE_LINES.format(rows="old_rows"),
    "stdaward_sums_both": _STALE_LINES.format(rows="new_rows") + "; " + _STALE_LINES.format(rows="old_rows"),
    "stdaward_sums_round": "DELETE FROM summed_round WHERE round_uuid IN (SELECT uuid FROM old_rows UNION "
                           "SELECT uuid FROM new_rows)",
    "stdaward_sent_new": "INSERT INTO stale_origin (origin) SELECT DISTINCT origin FROM new_rows WHERE origin IS NOT "
                         "NULL ON CONFLICT DO NOTHING",
    "stdaward_sent_old": "INSERT INTO stale_origin (origin) SELECT DISTINCT origin FROM old_rows WHERE origin IS NOT "
                         "NULL ON CONFLICT DO NOTHING",
    "stdaward_sent_both": "INSERT INTO stale_origin (origin) SELECT o.origin FROM old_rows o JOIN new_rows n ON n.id = o.id "
                          f"WHERE o.origin IS NOT NULL AND ({_PG_CHANGED}) UNION SELECT n.origin FROM old_rows o "
                          f"JOIN new_rows n ON n.id = o.id WHERE n.origin IS NOT NULL AND ({_PG_CHANGED}) "
                          "ON CONFLICT DO NOTHING",
    "stdaward_sent_enterprise": "INSERT INTO stale_origin (origin) SELECT DISTINCT a.origin FROM achievement a WHERE "
                                "a.origin IS NOT NULL AND a.enterprise_id IN (SELECT n.id FROM new_rows n JOIN "
                                "old_rows o ON o.id = n.id WHERE o.origin IS DISTINCT FROM n.origin) "
                                "ON CONFLICT DO NOTHING",
    "stdaward_sums_origin": "DELETE FROM summed_round WHERE round_uuid IN (SELECT r.uuid FROM award w "
                            "JOIN award_round r ON r.id = w.round_id WHERE w.achievement_id IN (SELECT n.id "
                            "FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.origin IS DISTINCT FROM n.origin))",
}
_PG_TRIGGERS = [
    ("award_sum_stale_insert", "INSERT ON award REFERENCING NEW TABLE AS new_rows", "stdaward_sums_new"),
    ("award_sum_stale_update", "UPDATE ON award REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "stdaward_sums_both"),
    ("award_sum_stale_delete", "DELETE ON award REFERENCING OLD TABLE AS old_rows", "stdaward_sums_old"),
    ("award_sum_stale_round", "UPDATE ON award_round REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "stdaward_sums_round"),
    ("award_sum_stale_origin", "UPDATE ON achievement REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "stdaward_sums_origin"),
    ("sent_stale_insert", "INSERT ON achievement REFERENCING NEW TABLE AS new_rows", "stdaward_sent_new"),
    ("sent_stale_update", "UPDATE ON achievement REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "stdaward_sent_both"),
    ("sent_stale_delete", "DELETE ON achievement REFERENCING OLD TABLE AS old_rows", "stdaward_sent_old"),
    ("sent_stale_enterprise", "UPDATE ON enterprise REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "stdaward_sent_enterprise"),
]


def install() -> None:
    """Schema 7's triggers (both engines) and claim indexes (PostgreSQL), in the caller's transaction."""
    if not is_postgres():
        for sql in SQLITE_TRIGGERS:
            database.execute_sql(sql)
        return
    for name, body in _PG_FUNCTIONS.items():
        database.execute_sql(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                             f"$$ BEGIN {body}; RETURN NULL; END $$")
    for name, when, function in _PG_TRIGGERS:
        table = when.split(" ON ", 1)[1].split()[0]
        database.execute_sql(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        database.execute_sql(f"CREATE TRIGGER {name} AFTER {when} FOR EACH STATEMENT WHEN "
                             f"(current_setting('{IMPORTING}', true) IS DISTINCT FROM '1') EXECUTE FUNCTION {function}()")
    claim_indexes()


def claim_indexes() -> None:
    """PostgreSQL: build the claim indexes (in the caller's transaction); nothing on SQLite."""
    if is_postgres():
        for kind in CLAIM_INDEXES:
            database.execute_sql(index_sql(kind))
