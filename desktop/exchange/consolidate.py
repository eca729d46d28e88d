"""City-level consolidation: totals by county, year, policy rule and fund, and the checks no single
county office can make.

    report = build_report(year=2025)
    report.rows        # ReportRow per (county, year, rule, fund): count and total (Decimal)
    report.findings    # Finding per problem: claims across counties, enterprises in two counties,
                       # totals that differ from what the county itself reported
    write_xlsx(report, path) / write_pdf(report, path)

Each county's data stays separate by its origin (the office uuid on every imported row); rows
entered at the city itself count under the city's own name. Only awards that pay (status awarded
or discretionary, with an amount, not rejected) are totalled.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.core.i18n import N_, _, colon
from desktop.core.labels import prize_label
from desktop.core.money import format_money, money_str
from desktop.exchange import offices
from desktop.exchange.importer import claims_key, round_summaries
from desktop.store import award_sums
from desktop.store.award_sums import CLAIM_INDEXES, index_sql
from desktop.store.award_sums import claim_sql as _claims
from desktop.store.backend import is_postgres, json_values
from desktop.store.models import KnownOffice, database

CLAIM, ENTERPRISE, TOTALS = "claimed-in-two-counties", "enterprise-in-two-counties", "totals-differ"
KEPT = "kept-sums-differ"  # only with a recount: the sums kept at import against the award lines
FINDING_TITLES = {
    CLAIM: N_("The same standard or prize claimed by enterprises in different counties"),
    ENTERPRISE: N_("The same enterprise registered in two counties"),
    TOTALS: N_("Totals that differ from the county's own summary"),
    KEPT: N_("Sums kept at import that differ from the award lines"),
}

SEVERITY_LABELS = {"conflict": N_("cannot both be right"), "review": N_("to be checked")}


@dataclass
class ReportRow:
    county: str
    county_uuid: str | None
    year: int
    rule: str
    clause: str
    fund: str
    count: int = 0
    total: Decimal = Decimal("0.00")
    rule_label: str = ""  # what an officer reads: the rule's wording (its id never reaches paper)
    fund_label: str = ""
    city: str = ""  # at a province: the city whose package carried the county's records ("" at a city)

    def as_dict(self) -> dict[str, Any]:
        return {"county": self.county, "county_uuid": self.county_uuid, "year": self.year, "rule": self.rule,
                "rule_label": self.rule_label, "clause": self.clause, "fund": self.fund,
                "fund_label": self.fund_label, "count": self.count, "total": money_str(self.total),
                "city": self.city}


@dataclass
class Finding:
    kind: str  # CLAIM | ENTERPRISE | TOTALS
    severity: str  # "conflict" (cannot both be right) | "review" (an officer should look)
    message: str
    items: list[dict[str, Any]] = field(default_factory=list)  # the records involved, per county

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "message": self.message, "items": self.items}


@dataclass
class Report:
    office: str
    year: int | None
    generated: str
    rows: list[ReportRow]
    findings: list[Finding]

    def by_county(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for r in self.rows:
            out[r.county] = out.get(r.county, Decimal("0.00")) + r.total
        return out

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), Decimal("0.00"))

    @property
    def nested(self) -> bool:
        """A province's report: counties grouped under the cities that sent them."""
        return any(r.city for r in self.rows)

    def by_city(self) -> dict[str, dict[str, Decimal]]:
        """city -> county -> total, in the report's order (a province's own records under its name)."""
        out: dict[str, dict[str, Decimal]] = {}
        for r in self.rows:
            by = out.setdefault(r.city or r.county, {})
            by[r.county] = by.get(r.county, Decimal("0.00")) + r.total
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"office": self.office, "year": self.year, "generated": self.generated,
                "rows": [r.as_dict() for r in self.rows],
                "by_county": {k: money_str(v) for k, v in self.by_county().items()},
                "by_city": {c: {k: money_str(v) for k, v in by.items()} for c, by in self.by_city().items()},
                "total": money_str(self.total), "findings": [f.as_dict() for f in self.findings]}


def _county_namer() -> tuple[dict[str | None, str], Any]:
    from desktop.exchange.origins import known_names

    names: dict[str | None, str] = {u: o["name"] for u, o in known_names().items()}  # counties behind a city
    names.update(offices.names())
    own = offices.own_office()
    names[None] = own.name if own is not None else _("this office")

    def name(origin: str | None) -> str:
        return names.get(origin) or (origin or "-")
    return names, name


# The awards that pay (``award_sums.PAID``), summed per round, county (the achievement's origin), year,
# rule and fund (a group's clause and policy: the least, in code point order as SQLite and Python
# compare it): the report's rows and each round's totals (the check against what the county reported)
# come from these groups. The counties' groups are kept by every import (``award_sums``, schema 7),
# so the report reads them instead of summing 10,000,000 award lines; the lines of the office's own
# rounds (changed by every computation here) are summed by the database at each report. With ``recount``
# every group is summed from the award lines, as an auditor's check of the kept ones.


def _sums(year: int | None, reported: list[str], recount: bool = False) -> list[tuple[Any, ...]]:
    """(round uuid, origin, year, rule, fund, clause, policy id, count, total) of the awards that pay
    (of ``year`` and of the rounds ``reported``, or all)."""
    if year is None:
        where, params, kwhere = "", [], ""
    else:
        where = f" AND (r.year = ? OR r.uuid IN ({json_values()}))"
        kwhere = f" AND (s.year = ? OR s.round_uuid IN ({json_values()}))"
        params = [year, json.dumps(sorted(reported))]
    if recount:
        return award_sums.direct(where, params)
    own = award_sums.local_round_ids()
    mine = award_sums.direct(award_sums.in_rounds(own) + where, params) if own else []
    return mine + award_sums.kept(kwhere, params)


@dataclass
class _Paid:
    """What the awards that pay add up to: per (county, year, rule, fund) and per round."""

    groups: list[tuple[Any, ...]]  # (origin, year, rule, fund, clause, policy id, count, total)
    rounds: dict[str, dict[str, Any]]  # round uuid -> {count, total} (rounds held without a paying award: 0)
    summed: list[tuple[Any, ...]] | None = None  # a recount of every year: each round's groups, as summed


def _paid(year: int | None, reported: list[str], recount: bool = False) -> _Paid:
    """The awards that pay, summed (``_sums``): for the report the year's (or every) award; for the
    check of the totals also those of the rounds the counties reported."""
    groups: list[tuple[Any, ...]] = []
    rounds: dict[str, dict[str, Any]] = {}
    if reported:
        for (u,) in database.execute_sql(f"SELECT uuid FROM award_round WHERE uuid IN ({json_values()})",
                                         [json.dumps(sorted(reported))]):
            rounds[u] = {"count": 0, "total": Decimal("0.00")}
    summed = _sums(year, reported, recount)
    for ruuid, origin, yr, rule, fund, clause, policy_id, count, amount in summed:
        if ruuid in rounds:
            rounds[ruuid]["count"] += count
            rounds[ruuid]["total"] += amount
        if year is None or yr == year:
            groups.append((origin, yr, rule, fund, clause, policy_id, count, amount))
    return _Paid(groups, rounds, summed if recount and year is None else None)


def _reported(year: int | None) -> dict[str, dict[str, dict[str, Any]]]:
    """office uuid -> round uuid -> the totals that office reported for it (of ``year``)."""
    out = {}
    for k in KnownOffice.select(KnownOffice.uuid):
        out[k.uuid] = {u: s for u, s in round_summaries(k.uuid).items() if year is None or s.get("year") == year}
    return out


# PostgreSQL's working memory for the report's statements (its default, 4 MB, is for many small
# queries at once): the sums' groups then stay in a hash table instead of sorting 10,000,000 award
# lines, and the awards' join to their achievements spills to disk in fewer batches. Only for the
# report's own transaction (SET LOCAL), once per report. Its just-in-time compilation is turned off
# for the report: the claims' statement spent 2.9 s of its 21 s at 10,000,000 compiling expressions
# it then evaluates a few hundred thousand times (the server's default threshold takes the plan's
# cost, not its rows, for the work saved).
REPORT_WORK_MEM = "64MB"


def build_report(year: int | None = None, recount: bool = False) -> Report:
    """The report; with ``recount`` its sums come from the award lines themselves (not the sums kept
    at import), and any county whose kept sums disagree with its lines is a finding."""
    with database.atomic():
        if is_postgres():
            database.execute_sql(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
            database.execute_sql("SET LOCAL jit = off")
        return _build_report(year, recount)


def _build_report(year: int | None, recount: bool = False) -> Report:
    _names, name = _county_namer()
    reported = _reported(year)
    paid = _paid(year, [u for by in reported.values() for u in by], recount)
    groups: dict[tuple, ReportRow] = {}
    labels = _Labels()
    city_of = _city_of(name)
    # a (county, year, rule, fund) summed per round: merged here
    for origin, yr, rule, fund, clause, policy_id, count, total in sorted(paid.groups, key=str):
        key = (origin, yr, rule, fund)
        row = groups.get(key)
        if row is None:
            row = groups[key] = ReportRow(name(origin), origin, yr, rule, clause or "", fund,
                                          rule_label=labels.rule(policy_id, None if rule == "-" else rule, clause),
                                          fund_label=labels.fund(policy_id, None if fund == "-" else fund),
                                          city=city_of(origin))
        row.count += count
        row.total += total
    rows = sorted(groups.values(), key=lambda r: (r.city or r.county, r.county, r.year, r.rule, r.fund))
    enterprises = _enterprises()
    findings = (cross_claims(year, name, recount, enterprises) + enterprises_in_two(name, recount, enterprises)
                + totals_differ(year, name, reported, paid.rounds))
    if recount:
        findings = kept_differ(name, paid.summed) + findings
    own = offices.own_office()
    return Report(office=own.name if own else "", year=year, generated=dt.datetime.now().isoformat(timespec="seconds"),
                  rows=rows, findings=findings)


def _city_of(name: Any) -> Any:
    """At a province: origin -> the name of the city whose packages carried it (a city's own records
    under the city itself); "" for every origin at a city, whose counties send directly."""
    from desktop.exchange.origins import senders

    via = senders()
    cities = set(via.values())

    def city(origin: str | None) -> str:
        if origin in via:
            return str(name(via[origin]))
        return str(name(origin)) if origin in cities else ""
    return city


class _Labels:
    """Rule and fund ids worded as their policy words them (the seed policies and the city's own
    measures); a county's measure the city does not hold is named by its clause, never by its id."""

    def __init__(self) -> None:
        import re

        self._policies: dict[str, Any] = {}
        self._strip = re.compile(r"\{[a-z_]+\}")

    def _policy(self, policy_id: str | None) -> Any:
        if not policy_id:
            return None
        if policy_id not in self._policies:
            from desktop.core.policies import PolicyError, load_policy
            from desktop.store.office import local_policy_dirs

            try:
                self._policies[policy_id] = load_policy(policy_id, local_policy_dirs())
            except (PolicyError, OSError):
                self._policies[policy_id] = None
        return self._policies[policy_id]

    def rule(self, policy_id: str | None, rule_id: str | None, clause: str | None) -> str:
        policy = self._policy(policy_id)
        rule = policy.rule(rule_id) if policy is not None and rule_id else None
        if rule is not None and getattr(rule, "label", None):
            return self._strip.sub("", rule.label).strip()
        return clause or "-"

    def fund(self, policy_id: str | None, fund_id: str | None) -> str:
        policy = self._policy(policy_id)
        fund = (getattr(policy, "funds", None) or {}).get(fund_id) if policy is not None and fund_id else None
        return fund.name if fund is not None else ""


_CLAIMS_SQL = """
SELECT {thing}, a.prize, substr(CAST(a.date AS TEXT), 1, 4), a.ref, a.title, a.grade, a.rank, a.origin, a.source_id,
       e.uscc, e.name
FROM achievement a JOIN enterprise e ON e.id = a.enterprise_id
WHERE a.kind = ? AND {rows}{where} AND ({outer}) IN (
    SELECT {group} FROM (SELECT {inner}, COALESCE(a.origin, '') AS o FROM achievement a
                         WHERE a.kind = ? AND {rows}{where}) claims
    WHERE k IS NOT NULL AND k != '' GROUP BY {group} HAVING min(o) != max(o))
ORDER BY a.id
"""


# PostgreSQL: the claim keys kept in an index per kind (``_claim_indexes``), so the check reads the
# keys from it, sorted, instead of working every record's key out twice (out of its JSON for a
# standard, 2.5 s per million on a shared two-core server; a regular expression over a prize's
# title); 10,000,000 at a province. Named with a version: a changed definition is a new index,
# never a stale one taken for it. Per kind: (index, its columns, which rows it holds, the key, the
# group's columns from the inner query, the SQL's filter of the rows).
STANDARD_INDEX = CLAIM_INDEXES["standard"]
_KEYS_SQL = """
SELECT {group} FROM (SELECT {inner}, COALESCE(a.origin, '') AS o FROM achievement a
                     WHERE a.kind = '{kind}' AND {rows}{where}) claims
GROUP BY {group} HAVING min(o) != max(o)
"""
_ROWS_SQL = """
SELECT {thing}, a.prize, substr(CAST(a.date AS TEXT), 1, 4), a.ref, a.title, a.grade, a.rank, a.origin, a.source_id,
       e.uscc, e.name
FROM achievement a JOIN enterprise e ON e.id = a.enterprise_id
WHERE a.kind = '{kind}' AND {rows}{where} AND {thing} = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(? AS jsonb))))
ORDER BY a.id
"""


def _claim_indexes() -> dict[str, bool]:
    """PostgreSQL: make sure the claim keys of each kind are indexed (built once, by the first
    report of a city; kept up to date by the server on every import after it). kind -> whether its
    index is there: not when this account may not create it (not the tables' owner), and the check
    then works every key out of its record, as on SQLite, slower but the same.

    Not part of the schema's version: an index holds no data, a backup or copy without it gives the
    same report, and a database that lacks it gets it here again."""
    from peewee import DatabaseError

    have = {name for (name,) in database.execute_sql(f"SELECT indexname FROM pg_indexes WHERE indexname IN "
                                                       f"({json_values()})", [json.dumps(sorted(CLAIM_INDEXES.values()))])}
    out, made = {}, False
    for kind, index in CLAIM_INDEXES.items():
        if index not in have:
            try:
                with database.atomic():  # a savepoint inside a caller's transaction: a refusal leaves it usable
                    database.execute_sql(index_sql(kind))
                made = True
            except DatabaseError:
                out[kind] = False
                continue
        out[kind] = True
    if made:
        database.execute_sql("ANALYZE achievement")  # the planner's figures for the new keys
    return out


def _claims_pg(kind: str, where: str, params: list[Any]) -> list[tuple]:
    """The standards (or prizes) claimed in two counties or more, on PostgreSQL through its claim
    index: the groups of two counties first (from the index, sorted), then the rows of their keys
    (looked up in it). Rows of such a key in a group of one county come along; the caller's
    grouping leaves them out, as it does any group of one county."""
    rows, thing, inner, group, _outer = _claims()[kind]
    sql = _KEYS_SQL.format(group=group, inner=inner, kind=kind, rows=rows, where=where)
    # no key, or an empty one, claims nothing: dropped here, not in the query, where testing it would
    # work the key out of every record again instead of reading it from the index
    at = group.split(", ").index("k")
    keys = sorted({found[at] for found in database.execute_sql(sql, params) if found[at]})
    if not keys:
        return []
    # "= ANY(array)": one look-up in the index per key (an IN over the keys' list is planned as a
    # scan of the whole index, the key worked out of every record again)
    sql = _ROWS_SQL.format(thing=thing, kind=kind, rows=rows, where=where)
    return database.execute_sql(sql, [*params, json.dumps(keys, ensure_ascii=False)]).fetchall()


def _enterprises() -> dict[int, tuple[str, str, str | None]]:
    """id -> (USCC, name, origin) of every enterprise here, for both checks."""
    return {eid: (uscc, ename, origin)
            for eid, uscc, ename, origin in database.execute_sql("SELECT id, uscc, name, origin FROM enterprise")}


def cross_claims(year: int | None, name: Any, recount: bool = False,
                 enterprises: dict[int, tuple[str, str, str | None]] | None = None) -> list[Finding]:
    """The same standard (by its normalised number) or prize claimed by enterprises of different
    counties. Co-drafters legitimately share a standard, so that is a review; two claims of the
    same rank (two "first drafting units") cannot both be right: a conflict.

    The counties' claim keys are kept at import (``award_sums.claimed_rows``, schema 7): the report
    reads, in one statement, the rows of the keys two counties hold. With ``recount`` the database
    groups every record's claim again (one ``GROUP BY`` over the city's standards, one over its
    prizes) and returns only those in groups of two counties or more: Python never holds the city."""
    where, params = "", []
    if year is not None:
        where, params = " AND a.date BETWEEN ? AND ?", [f"{year:04d}-01-01", f"{year:04d}-12-31"]
    award_sums.register_functions()
    groups: dict[tuple, list[dict[str, Any]]] = {}

    def group(key: tuple, rank: Any, ref: Any, origin: Any, sid: Any, uscc: Any, ename: Any, grade: Any) -> None:
        groups.setdefault(key, []).append({"county": name(origin), "origin": origin, "enterprise": uscc,
                                           "enterprise_name": ename, "id": sid, "rank": rank, "ref": ref,
                                           "grade": grade})
    if not recount:
        sep = award_sums.SEPARATOR
        ents = _enterprises() if enterprises is None else enterprises
        for kind, claim, ref, title, grade, rank, origin, sid, eid in award_sums.claimed_rows(year):
            key = ("standard", claim) if kind == "standard" else ("prize", *claim.split(sep))
            uscc, ename, _eorigin = ents[eid]
            group(key, rank, ref or title, origin, sid, uscc, ename, grade)
    indexed = _claim_indexes() if is_postgres() and recount else {}
    for kind, (rows, thing, inner, group_by, outer) in _claims().items() if recount else ():
        if indexed.get(kind):
            found = _claims_pg(kind, where, params)
        else:
            sql = _CLAIMS_SQL.format(rows=rows, thing=thing, inner=inner, group=group_by, outer=outer, where=where)
            found = database.execute_sql(sql, [kind, *params, kind, *params]).fetchall()
        for thing, prize, yr, ref, title, grade, rank, origin, sid, uscc, ename in found:
            key: tuple = ("standard", thing) if kind == "standard" else ("prize", prize, thing, yr)
            group(key, rank, ref or title, origin, sid, uscc, ename, grade)
    out = []
    for key, claims in sorted(groups.items(), key=lambda kv: str(kv[0])):
        counties = {c["origin"] for c in claims}
        if len(counties) < 2:
            continue
        ranks = [c["rank"] for c in claims if c["rank"] is not None]
        same_rank = len(ranks) != len(set(ranks))
        what = key[1] if key[0] == "standard" else f"{key[2]} ({prize_label(key[1])}, {key[3]})"
        msg = (_("{what} is claimed by enterprises in {n} counties with the same rank: both cannot be right").format(
            what=what, n=len(counties)) if same_rank else
            _("{what} is claimed by enterprises in {n} counties: check they are co-drafters").format(what=what, n=len(counties)))
        out.append(Finding(CLAIM, "conflict" if same_rank else "review", msg, claims))
    return out


def _claimed_by_offices() -> dict[str, list[str]]:
    """office uuid -> the USCCs of every enterprise it has sent (``importer.enterprise_claims``): the
    lists the imports keep apart (``importer.claims_key``), read whole (40 KB per county).

    An office last imported before the lists were kept apart has its list inside the record of the
    hashes of every row received (at a city of 10,000,000 achievements, 20 MB per county). PostgreSQL
    cuts the list out of that text (the record as the program writes it: keys sorted,
    ``"claims": [...]`` of strings) instead of parsing the 20 MB; a cut that does not read back as a
    list (a record written some other way) is read again whole."""
    offices = [k.uuid for k in KnownOffice.select(KnownOffice.uuid)]
    out: dict[str, list[str]] = {uuid: [] for uuid in offices}
    if not offices:
        return out
    kept = {claims_key(uuid): uuid for uuid in offices}
    for key, text in database.execute_sql(f"SELECT key, value FROM setting WHERE key IN ({json_values()})",
                                          [json.dumps(sorted(kept))]):
        out[kept.pop(key)] = _usccs(text) or []
    keys = {f"exchange.base.{uuid}": uuid for uuid in kept.values()}  # not kept apart: in the import's record
    if not keys:
        return out
    whole = "CAST(CAST(value AS json) -> 'claims' AS TEXT)" if is_postgres() else "json_extract(value, '$.claims')"
    cut = "split_part(split_part(value, '\"claims\": ', 2), ']', 1) || ']'" if is_postgres() else whole
    again = []
    for key, text in database.execute_sql(f"SELECT key, {cut} FROM setting WHERE key IN ({json_values()})",
                                          [json.dumps(sorted(keys))]):
        found = _usccs(text)
        if found is None and is_postgres():
            again.append(key)
        out[keys[key]] = found or []
    if again:
        for key, text in database.execute_sql(f"SELECT key, {whole} FROM setting WHERE key IN ({json_values()})",
                                              [json.dumps(sorted(again))]):
            out[keys[key]] = _usccs(text) or []
    return out


def _usccs(text: Any) -> list[str] | None:
    """The strings of a JSON list given as text; None when it is no list (SQLite gives a string's
    own text, not JSON)."""
    try:
        found = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return [c for c in found if isinstance(c, str)] if isinstance(found, list) else None


def enterprises_in_two(name: Any, recount: bool = False,
                       enterprises: dict[int, tuple[str, str, str | None]] | None = None) -> list[Finding]:
    """An enterprise (USCC) sent by two offices, or whose achievements come from another county
    than the one that registered it (the pairs kept at import, ``award_sums.sent_pairs``; with
    ``recount`` worked out from every achievement)."""
    seen: dict[str, dict[str | None, str]] = {}  # uscc -> origin -> how
    for office, usccs in _claimed_by_offices().items():
        for uscc in usccs:
            seen.setdefault(uscc, {})[office] = _("registered it")
    names: dict[str, str] = {}
    usccs: dict[int, str] = {}
    for eid, (uscc, ename, eorigin) in sorted((_enterprises() if enterprises is None else enterprises).items()):
        names[uscc], usccs[eid] = ename, uscc
        seen.setdefault(uscc, {}).setdefault(eorigin, _("registered it"))
    # only the achievements of another county than their enterprise's: one pair per (enterprise,
    # county), never one per achievement
    for eid, aorigin in award_sums.sent_pairs(recount):
        seen[usccs[eid]].setdefault(aorigin, _("sent achievements of it"))
    out = []
    for uscc, by in sorted(seen.items()):
        if len(by) < 2:
            continue
        items = [{"county": name(o), "origin": o, "enterprise": uscc, "enterprise_name": names.get(uscc), "how": how}
                 for o, how in by.items()]
        out.append(Finding(ENTERPRISE, "review", _("{uscc} {name} appears in {counties}").format(
            uscc=uscc, name=names.get(uscc, ""), counties=", ".join(sorted(i["county"] for i in items))), items))
    return out


def totals_differ(year: int | None, name: Any, reported: dict[str, dict[str, dict[str, Any]]] | None = None,
                  held: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    """Each round's totals as the county reported them, against the awards held here (``held``:
    round uuid -> count and total, as ``build_report`` summed them; else summed here)."""
    if reported is None:
        reported = _reported(year)
    if held is None:
        held = _paid(year, [u for by in reported.values() for u in by]).rounds
    out = []
    for k in KnownOffice.select(KnownOffice.uuid, KnownOffice.name):
        for u, s in sorted(reported.get(k.uuid, {}).items(), key=lambda kv: (kv[1].get("year") or 0, kv[0])):
            h = held.get(u)
            want_total, want_count = Decimal(str(s.get("total") or "0")), int(s.get("count") or 0)
            got_total = h["total"] if h else Decimal("0.00")
            got_count = h["count"] if h else 0
            if h is None or got_total != want_total or got_count != want_count:
                msg = _("{county}, round {year} ({policy}): the county reported {want} in {wn} awards, the data here "
                        "gives {got} in {gn}").format(county=k.name, year=s.get("year"), policy=s.get("policy_id"),
                                                      want=format_money(want_total), wn=want_count,
                                                      got=format_money(got_total), gn=got_count)
                out.append(Finding(TOTALS, "conflict", msg, [{"county": k.name, "origin": k.uuid, "round": u,
                                                              "reported": money_str(want_total), "held": money_str(got_total),
                                                              "reported_count": want_count, "held_count": got_count}]))
    return out


def kept_differ(name: Any, summed: list[tuple[Any, ...]] | None = None) -> list[Finding]:
    """The counties whose sums kept at import (``award_sum``) disagree with their award lines: an
    edit outside the program, or a write that did not keep them. The recount's report shows the
    award lines' figures; this says the report without a recount would not."""
    out = []
    for origin in award_sums.claim_differences():
        out.append(Finding(KEPT, "conflict", _("{county}: the claims of its records, as kept at import, differ from its "
                                               "achievements; this recount shows the achievements'").format(
            county=name(origin)), [{"county": name(origin), "origin": origin}]))
    for origin in award_sums.sent_differences():
        out.append(Finding(KEPT, "conflict", _("{county}: the enterprises of other counties it sent, as kept at import, "
                                               "differ from its achievements; this recount shows the achievements'").format(
            county=name(origin)), [{"county": name(origin), "origin": origin}]))
    for d in award_sums.differences(summed):
        msg = _("{county}: the sums kept at import give {kept} in {kn} awards, the award lines give {got} in {gn}; "
                "this recount shows the award lines' figures").format(
            county=name(d["origin"]), kept=format_money(d["kept_total"]), kn=d["kept_count"],
            got=format_money(d["total"]), gn=d["count"])
        out.append(Finding(KEPT, "conflict", msg, [{"county": name(d["origin"]), "origin": d["origin"],
                                                     "kept": money_str(d["kept_total"]), "held": money_str(d["total"]),
                                                     "kept_count": d["kept_count"], "held_count": d["count"]}]))
    return out


# ------------------------------------------------------------------------------------- output

def _headers() -> list[str]:
    return [_("County"), _("Year"), _("Rule"), _("Clause"), _("Fund"), _("Awards"), _("Total (yuan)")]


def text_lines(report: Report) -> list[str]:
    lines = [_("Consolidated awards{year}: {total}").format(
        year=f" {report.year}" if report.year else "", total=format_money(report.total))]
    if report.nested:  # a province: each city, then its counties
        for city, by in report.by_city().items():
            lines.append(f"  {city}{colon()}{format_money(sum(by.values(), Decimal('0.00')))}")
            lines.extend(f"    {county}{colon()}{format_money(total)}" for county, total in by.items())
    else:
        for county, total in report.by_county().items():
            lines.append(f"  {county}{colon()}{format_money(total)}")
    for r in report.rows:
        where = f"{r.city} · {r.county}" if r.city and r.city != r.county else r.county
        lines.append(f"    {where} {r.year} {r.rule_label} {r.clause} {r.fund_label}{colon()}{r.count} · "
                     f"{format_money(r.total)}")
    lines.append(_("Checks: {n} findings").format(n=len(report.findings)))
    for f in report.findings:
        lines.append(f"  [{_(SEVERITY_LABELS[f.severity])}] {_(FINDING_TITLES[f.kind])}{colon()}{f.message}")
    return lines


def write_xlsx(report: Report, path: Path) -> Path:
    from desktop.exchange.xlsx import write_sheets

    checks = [[_(FINDING_TITLES[f.kind]), _(SEVERITY_LABELS[f.severity]), f.message] for f in report.findings]
    if report.nested:
        detail = [[r.city or r.county, r.county, r.year, r.rule_label, r.clause, r.fund_label, r.count, r.total]
                  for r in report.rows]
        return write_sheets(Path(path), [
            (_("By rule and fund"), [_("City"), *_headers()], detail),
            (_("By city and county"), [_("City"), _("County"), _("Total (yuan)")], _city_rows(report)),
            (_("Checks"), [_("Check"), _("Severity"), _("Finding")], checks),
        ])
    detail = [[r.county, r.year, r.rule_label, r.clause, r.fund_label, r.count, r.total] for r in report.rows]
    counties = [[c, t] for c, t in report.by_county().items()] + [[_("Total"), report.total]]
    return write_sheets(Path(path), [
        (_("By rule and fund"), _headers(), detail),
        (_("By county"), [_("County"), _("Total (yuan)")], counties),
        (_("Checks"), [_("Check"), _("Severity"), _("Finding")], checks),
    ])


def _city_rows(report: Report) -> list[list[Any]]:
    """Each city's counties with their totals, then the city's subtotal; the grand total last."""
    out: list[list[Any]] = []
    for city, by in report.by_city().items():
        out.extend([city, county, total] for county, total in by.items())
        out.append([city, _("Subtotal"), sum(by.values(), Decimal("0.00"))])
    return out + [[_("Total"), "", report.total]]


def write_pdf(report: Report, path: Path) -> Path:
    """A4 landscape report with the CJK font the notices use (embedded TrueType)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from desktop.notices import fonts

    own = offices.own_office()
    choice = fonts.choose(own.settings if own is not None else None)["body"]
    font = fonts.register(choice)
    texts = [("report", "text", line) for line in text_lines(report)]
    fonts.check_texts(choice, texts)  # a character the font lacks is an error, never a blank
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1)

    def table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        data = [[Paragraph(str(h), body) for h in header]]
        for row in rows:
            data.append([Paragraph(format_money(v) if isinstance(v, Decimal) else str(v), body) for v in row])
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    story: list[Any] = [Paragraph(_("Consolidated standardization awards{year}").format(
        year=f" {report.year}" if report.year else ""), title), Spacer(1, 4 * mm),
        Paragraph(_("{office}, made {when}").format(office=report.office, when=report.generated), body), Spacer(1, 4 * mm)]
    if report.nested:
        story.append(table([_("City"), _("County"), _("Total (yuan)")], _city_rows(report),
                           [80 * mm, 80 * mm, 50 * mm]))
    else:
        story.append(table([_("County"), _("Total (yuan)")],
                           [[c, t] for c, t in report.by_county().items()] + [[_("Total"), report.total]],
                           [120 * mm, 50 * mm]))
    story.append(Spacer(1, 6 * mm))
    story.append(table(_headers(), [[r.county, r.year, r.rule_label, r.clause, r.fund_label, r.count, r.total]
                                    for r in report.rows],
                       [60 * mm, 16 * mm, 45 * mm, 40 * mm, 40 * mm, 18 * mm, 38 * mm]))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(_("Checks"), title))
    story.append(table([_("Check"), _("Severity"), _("Finding")],
                       [[_(FINDING_TITLES[f.kind]), _(SEVERITY_LABELS[f.severity]), f.message] for f in report.findings]
                       or [["-", "-", _("none")]],
                       [70 * mm, 22 * mm, 165 * mm]))
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    SimpleDocTemplate(str(tmp), pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm, title=_("Consolidated awards"),
                      invariant=1).build(story)
    tmp.replace(path)
    return path
