"""Award rounds in the database: their rows, their state transitions and the queries over them.

A round is created in ``draft`` with its Award rows, may be recomputed while draft or returned,
discretionary amounts are set, then ``submit`` -> ``approve`` (or ``return_round``). Every change
writes an AwardEvent and an audit entry in the same transaction, under a row lock on the round.

What the lines say comes from outside: the policy and the award engine are the operations'
(``desktop.operations.round_work``), which hand ``create_round`` and ``recompute`` the function
that computes each achievement's award as the year is read, and check who may change a round
(``desktop.operations.roles``) and that its reviewer did not prepare it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from desktop.core.award import AwardResult
from desktop.core.errors import StdAwardError
from desktop.core.i18n import _
from desktop.core.ids import ordered_uuids
from desktop.core.money import ZERO, to_money
from desktop.core.status import PAYING, AwardStatus, Decision, RoundStatus, award_status_label, round_status_label
from desktop.store import audit, records
from desktop.store.backend import is_postgres, snapshot, year_lock
from desktop.store.models import (
    Achievement,
    Award,
    AwardEvent,
    AwardRound,
    Enterprise,
    TargetValue,
    database,
    now,
)

PAID = PAYING  # the statuses whose amount is paid (desktop.core.status)

# (round, the year's achievements as ``year_stream`` reads them) -> (row id, achievement, its line,
# its award) for each, computed as the stream goes: the operations' (the policy and the engine)
Compute = Callable[[AwardRound, Iterable[tuple[int, Any, Any]]], Iterator[tuple[int, Any, Any, AwardResult]]]


def paying_achievements(exclude_round: AwardRound | int | None = None) -> Iterator[Any]:
    """The achievements (vocabulary objects) of the awards that pay (awarded/discretionary, decision
    not rejected), outside ``exclude_round``: read with the cursor, in award order."""
    paying = ", ".join("?" * len(PAID))
    sql = (f"SELECT {records.ACH_COLUMNS_SQL} FROM award w JOIN achievement a ON a.id = w.achievement_id "
           f"JOIN enterprise e ON e.id = a.enterprise_id WHERE w.status IN ({paying}) AND w.decision != 'rejected'")
    params: list[Any] = list(PAID)
    if exclude_round is not None:
        sql += " AND w.round_id != ?"
        params.append(exclude_round.id if isinstance(exclude_round, AwardRound) else exclude_round)
    for cols in database.execute_sql(sql + " ORDER BY w.id", params):
        yield records.ach_from_sql(cols)[1]


def discretionary_amounts(year: int, policy_id: str) -> Iterator[tuple[int, str | None, Decimal]]:
    """(award id, rule, amount) of each discretionary award with an amount set, not rejected, in the
    rounds of ``year`` under ``policy_id``."""
    q = (Award.select(Award.rule, Award.amount, Award.id).join(AwardRound)
         .where(Award.status == AwardStatus.DISCRETIONARY.value, Award.decision != Decision.REJECTED.value,
                Award.amount.is_null(False), AwardRound.year == year, AwardRound.policy_id == policy_id))
    for aw in q:
        yield aw.id, aw.rule, aw.amount


def changed_by(rnd: AwardRound, user: str) -> bool:
    """Did ``user`` prepare the round or change one of its lines (computing, an amount)? A review
    decision on a line does not count (an approval, or a line reopened by an upheld objection, is
    reviewed again by the same reviewer)."""
    decisions = [d.value for d in Decision]
    touched = (AwardEvent.select().join(Award).where(Award.round == rnd, AwardEvent.user == user,
                                                     AwardEvent.after.not_in(decisions)).exists())
    return user == rnd.prepared_by or touched


def _snapshot(aw: Award) -> dict[str, Any]:
    return {"status": aw.status, "amount": None if aw.amount is None else format(aw.amount, "f"),
            "rule": aw.rule, "decision": aw.decision}


def _event(aw: Award, user: str, before: str | None, after: str, amount_before: Any, note: str | None = None) -> None:
    AwardEvent.create(award=aw, user=user, before=before, after=after, amount_before=amount_before,
                      amount_after=aw.amount, note=note)


def _year_rows(year: int) -> tuple[list, dict[str, int]]:
    rows = records.achievement_rows(year=year)
    return [a for _row, a in rows], {a.uuid: row_id for row_id, a in rows}


READ_BATCH = 5000  # achievements read per query when a round is computed
LINE_COLUMNS_SQL = "w.id, w.uuid, w.status, w.amount, w.rule, w.explanation, w.flags, w.decision"


def year_stream(year: int, round_id: int | None = None) -> Iterator[tuple[int, Any, tuple | None]]:
    """(row id, vocabulary achievement, its line) of the year's achievements by date then row, as
    ``records.achievement_rows`` orders them, read ``READ_BATCH`` at a time (each query starts after
    the last date and row of the one before), so a year of 1,000,000 is never held whole. With
    ``round_id`` each comes with its line in that round, (award id, uuid, status, amount, rule,
    explanation, flags, decision) as the models read them, or None when it has none yet."""
    money, flags = Award.amount.python_value, Award.flags.python_value
    line_sql = f", {LINE_COLUMNS_SQL}" if round_id is not None else ""
    join = " LEFT JOIN award w ON w.achievement_id = a.id AND w.round_id = ?" if round_id is not None else ""
    select = f"SELECT {records.ACH_COLUMNS_SQL}{line_sql} FROM {records.ACH_FROM_SQL}{join} WHERE "
    # Each query enters the date index where the last one stopped, so every entry is read once: the rest
    # of the last date read by its rows' ids, then the dates after it. (One query from the year's first
    # day stepped over every row read before: ×21 the time at 10⁶ for ×10 the rows; one from the last
    # date with ``a.id > ?`` in an OR stepped over that date's rows again at each batch.)
    first_sql = select + "a.date >= ? AND a.date <= ? ORDER BY a.date, a.id LIMIT ?"
    same_sql = select + "a.date = ? AND a.id > ? ORDER BY a.id LIMIT ?"
    after_sql = select + "a.date > ? AND a.date <= ? ORDER BY a.date, a.id LIMIT ?"
    head = [round_id] if round_id is not None else []
    lo, hi = f"{year:04d}-01-01", f"{year:04d}-12-31"
    # The values that repeat from row to row (the enterprise's code, kind, level, action, the date: a
    # year has at most 366) one object each for the whole read, as ``records.achievement_rows`` shares
    # them: the engine keeps every paid or payable claim until the year is done (its duplicate check),
    # and a copy of each per claim was ~140 MB of a round of 10⁶.
    shared: dict[Any, Any] = {}
    width = len(records.ACH_COLUMNS_SQL.split(","))
    if not is_postgres():  # (a server's date column holds only dates)
        records.refuse_dates_of(year)
    rows = database.execute_sql(first_sql, [*head, lo, hi, READ_BATCH]).fetchall()
    while True:
        for row in rows:
            line = None
            if round_id is not None and row[width] is not None:
                w = row[width:]
                line = (w[0], w[1], w[2], money(w[3]), w[4], w[5], flags(w[6]), w[7])
            yield row[0], records.ach_from_sql(row[:width], shared)[1], line
        if len(rows) < READ_BATCH:
            return
        last_date, last_id = rows[-1][4], rows[-1][0]
        rows = database.execute_sql(same_sql, [*head, last_date, last_id, READ_BATCH]).fetchall()
        if len(rows) < READ_BATCH:
            rows += database.execute_sql(after_sql, [*head, last_date, hi, READ_BATCH - len(rows)]).fetchall()


def create_round(year: int, policy_id: str, policy_hash: str, user: str, compute: Compute) -> AwardRound:
    """Store the year's round in draft under the policy ``policy_id`` (its content hash
    ``policy_hash``), with an Award row for each achievement as ``compute`` gives it. The year is
    read, computed and written a batch at a time (``year_stream``, ``compute``, ``_LineWriter``): a
    round of 1,000,000 lines never holds them all."""
    if AwardRound.select().where(AwardRound.year == year).exists():
        raise StdAwardError(_("there is already an award round for {year}; recompute it instead").format(year=year))
    with _statement_journal_in_memory(), database.atomic():
        year_lock(year)  # PostgreSQL: the year's achievements hold still, and a second officer waits
        if AwardRound.select().where(AwardRound.year == year).exists():  # made while this one waited
            raise StdAwardError(_("there is already an award round for {year}; recompute it instead").format(year=year))
        rnd = AwardRound.create(year=year, policy_id=policy_id, policy_hash=policy_hash,
                                status=RoundStatus.DRAFT.value, prepared_by=user)
        writer = _LineWriter(rnd)
        for row_id, _a, _line, r in compute(rnd, year_stream(year)):
            writer.add(row_id, r)
        writer.finish(user, _("computed"))
        audit.record(user, "create", "award_round", rnd.uuid, None, _round_summary(rnd, writer.written))
    return rnd


@contextmanager
def _statement_journal_in_memory() -> Iterator[None]:
    """SQLite: the transaction begun inside keeps its statement journal in memory (``temp_store =
    MEMORY``, read as the write transaction begins), the connection's setting as it was after.
    Each award line inserted is a statement of its own that may fail halfway (the award table's
    trigger and unique uuid), so SQLite journals the pages it changes for that statement alone.
    Once one statement's journal outgrew 64 KiB it went to a temporary file for the rest of the
    transaction: a round of 10⁶ lines made 7.0 million writes (14.8 GB) where 0.9 million (2.1 GB)
    are its database's own, and a round of 10⁵ never left memory (0.17 million writes in all); in
    memory each line's journal is dropped as its statement ends. The program holds no temporary tables that the change could drop. Nothing to
    do on PostgreSQL, or inside a transaction already begun."""
    if is_postgres() or database.in_transaction():
        yield
        return
    was = int(database.execute_sql("PRAGMA temp_store").fetchone()[0])
    database.execute_sql("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA temp_store = {was}")


BATCH = 5000  # award lines per executemany


new_uuids = ordered_uuids  # a round's award lines: ids in time order (desktop.core.ids)


class _LineWriter:
    """A round's new award lines, inserted with the cursor ``BATCH`` at a time as they are computed
    (peewee building one INSERT per line cost 40 s for a round of 100,000 lines), values stored
    exactly as the models store them (each field's ``db_value``, the few distinct amounts and flag
    lists converted once), then their first event each, in line order, as ``Award.create`` +
    ``_event`` did."""

    def __init__(self, rnd: AwardRound) -> None:
        self.rnd = rnd
        self.stamp = Award.updated_at.db_value(now())
        self.pending: list[tuple[int, AwardResult]] = []
        self.first: int | None = None
        self.money: dict[Any, Any] = {}
        self.flags: dict[tuple[str, ...], Any] = {}
        self.written: dict[tuple[str, str | None], int] = {}  # (status, amount as stored) -> lines written

    def add(self, achievement_id: int, r: AwardResult) -> None:
        self.pending.append((achievement_id, r))
        if len(self.pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        money, flags, written = self.money, self.flags, self.written
        rows = []
        for (ach_id, r), uuid in zip(self.pending, new_uuids(len(self.pending))):
            amount = money.get(r.amount)
            if amount is None and r.amount is not None:
                amount = money[r.amount] = Award.amount.db_value(r.amount)
            fl = flags.get(r.flags)
            if fl is None:
                fl = flags[r.flags] = Award.flags.db_value(list(r.flags))
            written[r.status, amount] = written.get((r.status, amount), 0) + 1
            rows.append((uuid, self.rnd.id, ach_id, r.status, amount, r.rule, r.clause, r.fund, r.explanation, fl,
                         Decision.PROPOSED.value, self.stamp))
        database.cursor().executemany(
            "INSERT INTO award (uuid, round_id, achievement_id, status, amount, rule, clause, fund, explanation, "
            "flags, decision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        if self.first is None:
            self.first = database.execute_sql("SELECT id FROM award WHERE uuid = ?", (rows[0][0],)).fetchone()[0]
        self.pending = []

    def finish(self, user: str, note: str) -> int | None:
        """The last lines and every new line's event; the first new line's row id (None: none)."""
        self._flush()
        if self.first is not None:
            database.execute_sql(
                "INSERT INTO award_event (award_id, at, \"user\", before, after, amount_before, amount_after, note) "
                "SELECT id, ?, ?, NULL, status, NULL, amount, ? FROM award WHERE round_id = ? AND id >= ? ORDER BY id",
                (AwardEvent.at.db_value(now()), user, note, self.rnd.id, self.first))
        return self.first


def _insert_awards(rnd: AwardRound, lines: list[tuple[int, AwardResult]], user: str, note: str) -> int | None:
    """The round's new award lines and their first event ("computed"), written in batches
    (``_LineWriter``). Returns the first new line's row id (None: none)."""
    writer = _LineWriter(rnd)
    for ach_id, r in lines:
        writer.add(ach_id, r)
    return writer.finish(user, note)


def _round_summary(rnd: AwardRound, lines: dict[tuple[str, str | None], int] | None = None) -> dict[str, Any]:
    """What the round's audit entry says of it: its lines and the total they pay, read from the round,
    or from ``lines`` ((status, amount as stored) -> how many lines) when they are all the round has
    (``_LineWriter.written`` of a new round: reading back 1,000,000 lines just written cost ~2 s)."""
    if lines is None:
        lines = {}
        for status, amount in database.execute_sql("SELECT status, amount FROM award WHERE round_id = ?", (rnd.id,)):
            lines[status, amount] = lines.get((status, amount), 0) + 1  # a round of 1,000,000 is not held
    n, total = 0, ZERO
    for (status, amount), count in lines.items():
        n += count
        if amount is not None and status in PAID:
            total += Decimal(amount) * count
    return {"year": rnd.year, "policy": rnd.policy_id, "policy_hash": rnd.policy_hash, "status": rnd.status,
            "awards": n, "total": format(to_money(total), "f")}


def _locked(rnd: AwardRound) -> AwardRound:
    """The round re-read inside the current transaction; on PostgreSQL its row is locked until the
    transaction ends (``SELECT … FOR UPDATE``), so an officer setting an amount, another submitting
    and a reviewer approving take turns: no line changes after it was approved, no status written
    over another. SQLite has one writer at a time."""
    from desktop.store.backend import is_postgres

    q = AwardRound.select().where(AwardRound.id == rnd.id)
    return (q.for_update() if is_postgres() else q).get()


def _moved_meanwhile(rnd: AwardRound, status: str) -> StdAwardError:
    from desktop.core.status import round_status_label

    return StdAwardError(_("the round for {year} is now {status}: someone else changed it meanwhile; nothing was "
                           "changed, reload it").format(year=rnd.year, status=round_status_label(status)))


def editable(rnd: AwardRound) -> None:
    """Refuse (StdAwardError) unless the round is a draft or returned."""
    _editable(rnd)


def _editable(rnd: AwardRound) -> None:
    if rnd.status not in (RoundStatus.DRAFT, RoundStatus.RETURNED):
        raise StdAwardError(_("the round for {year} is {status}; only a draft or returned round can change").format(
            year=rnd.year, status=round_status_label(rnd.status)))


def year_achievements(year: int) -> Generator[Any, None, None]:
    """The year's achievements (vocabulary objects) as ``year_stream`` reads them, a batch at a time,
    in one read transaction: every batch from the same snapshot, whatever another officer writes
    meanwhile (a record moved to a later date is read once, not twice)."""
    with snapshot():
        for _row_id, a, _line in year_stream(year):
            yield a


def recompute(rnd: AwardRound, user: str, policy_hash: str, compute: Compute) -> AwardRound:
    """Recompute a draft or returned round (e.g. after new achievements or a policy change), each line
    as ``compute`` gives it under the round's policy (its content hash now ``policy_hash``).
    Amounts an officer set on discretionary awards stay when the award is still discretionary
    under the same rule.

    Streamed and written in batches like ``create_round``: each achievement read with its line
    (``year_stream``), the changed lines updated and their events added with ``executemany`` as they
    are found (``_LineUpdates``), the new ones inserted by ``_insert_awards``, and
    for more than a handful of lines one audit entry per batch hashing each line's before and after
    (``_audit_lines``: one entry per line, each hashing the whole round, made a large recompute
    quadratic). The round's own entry
    at the end records its digest, which ``verify_rows`` checks."""
    rnd = AwardRound.get_by_id(rnd.id)
    _editable(rnd)
    with _statement_journal_in_memory(), database.atomic():
        year_lock(rnd.year)
        rnd = _locked(rnd)
        _editable(rnd)
        updates = _LineUpdates(rnd, user)
        created: list[tuple[int, AwardResult]] = []
        stored = Award.amount.db_value
        lines: dict[tuple[str, str | None], int] = {}  # (status, amount as stored) -> lines, as they end up
        for row_id, _a, row, r in compute(rnd, year_stream(rnd.year, rnd.id)):
            if row is None:
                created.append((row_id, r))
                amount = r.amount
            else:
                _id, _uuid, status, amount_was, rule, explanation, flags, _decision = row
                keep = status == r.status == AwardStatus.DISCRETIONARY and rule == r.rule
                amount = amount_was if keep else r.amount
                if (status, amount_was, rule, explanation, flags) != (r.status, amount, r.rule, r.explanation,
                                                                      list(r.flags)):
                    updates.add(row, r, amount)
            key = (r.status, stored(amount))
            lines[key] = lines.get(key, 0) + 1
        updates.finish()
        first_new = _insert_awards(rnd, created, user, _("computed"))
        if created:
            new_rows = Award.select(Award.uuid, Award.status, Award.amount, Award.rule, Award.decision).where(
                (Award.round == rnd) & (Award.id >= first_new)).order_by(Award.id).tuples()
            snaps = {u: {"status": st, "amount": None if am is None else format(am, "f"), "rule": ru, "decision": de}
                     for u, st, am, ru, de in new_rows}
            _audit_lines(user, "create", rnd, {u: (None, after) for u, after in snaps.items()})
        gone_ids = [row[0] for row in database.execute_sql(  # lines whose achievement moved out of the year
            "SELECT w.id FROM award w JOIN achievement a ON a.id = w.achievement_id WHERE w.round_id = ? "
            "AND a.date NOT BETWEEN ? AND ? ORDER BY w.id", (rnd.id, f"{rnd.year:04d}-01-01", f"{rnd.year:04d}-12-31"))]
        for aw in Award.select().where(Award.id.in_(gone_ids)) if gone_ids else ():  # moved out of the year
            snap = _snapshot(aw)
            from desktop.store.models import Objection

            # objections raised against the line go with it; the log keeps what they said
            gone = [(o.uuid, {"raised_by": o.raised_by, "raised_on": o.raised_on, "text": o.text,
                              "outcome": o.outcome, "reason": o.reason})
                    for o in Objection.select().where(Objection.award == aw)]
            aw.delete_instance(recursive=True)
            for uuid, before in gone:
                audit.record(user, "delete", "objection", uuid, before, None)
            audit.record(user, "delete", "award", aw.uuid, snap, None)
        rnd.policy_hash = policy_hash
        rnd.save()
        held = database.execute_sql("SELECT count(*) FROM award WHERE round_id = ?", (rnd.id,)).fetchone()[0]
        # the lines as the recompute left them, unless the round holds others (then read back)
        summary = _round_summary(rnd, lines if held == sum(lines.values()) else None)
        audit.record(user, "recompute", "award_round", rnd.uuid, None, summary)
    return rnd


class _LineUpdates:
    """The recomputed lines that changed, as the recompute finds them: updated ``BATCH`` at a time,
    each with its event ("recomputed"), and at the end their audit entries (``_audit_lines``) with
    each line's before and after, as ``_snapshot`` gives them. A line is (award id, uuid, status,
    amount, rule, explanation, flags, decision), as ``year_stream`` reads it."""

    def __init__(self, rnd: AwardRound, user: str) -> None:
        self.rnd, self.user = rnd, user
        self.stamp, self.at = Award.updated_at.db_value(now()), AwardEvent.at.db_value(now())
        self.note = _("recomputed")
        self.pending: list[tuple[tuple, AwardResult, Decimal | None]] = []
        # award uuid -> (status, amount, rule before; status, amount, rule after; decision): a tuple,
        # made the audit's two dicts a batch at a time (two dicts a line were 40 MB of 10⁵ changed lines)
        self.lines: dict[str, tuple[Any, ...]] = {}

    def add(self, row: tuple, r: AwardResult, amount: Decimal | None) -> None:
        self.pending.append((row, r, amount))
        if len(self.pending) >= BATCH:
            self._flush()

    @staticmethod
    def _snaps(line: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
        """A changed line's before and after, as ``_snapshot`` gives them."""
        status, amount, rule, status_after, amount_after, rule_after, decision = line
        return ({"status": status, "amount": amount, "rule": rule, "decision": decision},
                {"status": status_after, "amount": amount_after, "rule": rule_after, "decision": decision})

    def _flush(self) -> None:
        part, self.pending = self.pending, []
        if not part:
            return
        money, flags_db = Award.amount.db_value, Award.flags.db_value
        before_money, after_money = AwardEvent.amount_before.db_value, AwardEvent.amount_after.db_value
        cur = database.cursor()
        cur.executemany("UPDATE award SET status = ?, amount = ?, rule = ?, clause = ?, fund = ?, explanation = ?, "
                        "flags = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                        [(r.status, money(amount), r.rule, r.clause, r.fund, r.explanation, flags_db(list(r.flags)),
                          self.stamp, row[0]) for row, r, amount in part])
        cur.executemany("INSERT INTO award_event (award_id, at, \"user\", before, after, amount_before, amount_after, "
                        "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(row[0], self.at, self.user, row[2], r.status, before_money(row[3]), after_money(amount),
                          self.note) for row, r, amount in part])
        self.lines.update({row[1]: (row[2], None if row[3] is None else format(row[3], "f"), row[4], r.status,
                                    None if amount is None else format(amount, "f"), r.rule, row[7])
                           for row, r, amount in part})

    def finish(self) -> None:
        self._flush()
        if self.lines:
            _audit_lines(self.user, "recompute", self.rnd, self.lines, self._snaps)


ITEMISED_UP_TO = 100  # lines changed by a recompute that get an audit entry each (as a single edit does)


def _audit_lines(user: str, action: str, rnd: AwardRound, lines: Mapping[str, Any],
                 snaps: Callable[[Any], tuple[Any, Any]] | None = None) -> None:
    """The audit entries of lines a recompute added or changed (award uuid -> (before, after), or
    what ``snaps`` makes them of): one per line, as an officer's edit, for a handful; for more, one
    per batch saying how many and hashing each line's before and after (the lines' events hold them
    in full), as a bulk load does."""
    pair = snaps or (lambda line: line)
    if len(lines) <= ITEMISED_UP_TO:
        for uuid, line in lines.items():
            audit.record(user, action, "award", uuid, *pair(line))
        return
    items = sorted(lines.items())
    for start in range(0, len(items), BATCH):
        part = items[start:start + BATCH]
        audit.record_batch(user, action, "award", {"round": rnd.uuid, "awards": len(part), "digest": audit.fields_digest(
            [[u, *pair(line)] for u, line in part])}, None)


def set_amount(award: Award, amount: Decimal | str | int, user: str, note: str | None = None,
               version: int | None = None, within: Callable[[Award, Decimal], None] | None = None) -> Award:
    """Set a discretionary line's amount; only if the line is still at ``version`` (the one the
    officer's screen loaded), else StaleRecord. ``within`` refuses an amount the line's pool cannot
    take (the operations know the policy), after the line's own checks, before anything is written."""
    from desktop.store import concurrency

    aw = Award.get_by_id(award.id)
    concurrency.check(aw, version)
    rnd = aw.round
    _editable(rnd)
    if aw.status != AwardStatus.DISCRETIONARY:
        raise StdAwardError(_("only a discretionary award's amount is set by an officer; this one is {status}").format(
            status=award_status_label(aw.status)))
    value = to_money(amount)
    if value < 0:
        raise StdAwardError(_("an amount cannot be negative"))
    if within is not None:
        within(aw, value)
    with database.atomic():
        _editable(_locked(rnd))  # submitted or approved meanwhile: the line stays as approved
        before, snap = aw.amount, _snapshot(aw)
        aw.amount, aw.updated_at = value, now()
        aw.save()
        _event(aw, user, aw.status, aw.status, before, note)
        audit.record(user, "set_amount", "award", aw.uuid, snap, {**_snapshot(aw), "note": note})
    return aw


def _move(rnd: AwardRound, user: str, to: str, note: str | None = None, **fields: Any) -> AwardRound:
    before = rnd.status
    with database.atomic():
        now_at = _locked(rnd).status
        if now_at != before:  # another officer moved it meanwhile (PostgreSQL: they held the row until done)
            raise _moved_meanwhile(rnd, now_at)
        rnd.status = to
        for k, v in fields.items():
            setattr(rnd, k, v)
        if note:
            rnd.note = note
        rnd.save()
        after = {"status": to, "note": note}
        if to == RoundStatus.APPROVED:
            after["digest"] = rnd.approved_digest
        audit.record(user, to, "award_round", rnd.uuid, {"status": before}, after)
    return rnd


def submit(rnd: AwardRound, user: str) -> AwardRound:
    rnd = AwardRound.get_by_id(rnd.id)
    _editable(rnd)
    open_ = (Award.select().where(Award.round == rnd, Award.status == AwardStatus.DISCRETIONARY.value, Award.amount.is_null()).count())
    if open_:
        raise StdAwardError(_("{n} discretionary award(s) still have no amount; set them (0 for none) before submitting").format(n=open_))
    return _move(rnd, user, RoundStatus.SUBMITTED.value, prepared_by=user)


def approve(rnd: AwardRound, user: str, on: dt.date | None = None) -> AwardRound:
    """Approve a submitted round: its proposed paying lines approved (rejected at 0), its lines'
    digest recorded; approved ``on`` (the session's day; default today). Who may (a reviewer who
    did not prepare it) is the operations' check."""
    rnd = AwardRound.get_by_id(rnd.id)
    submitted(rnd, "approve")
    with database.atomic():
        now_at = _locked(rnd).status
        if now_at != RoundStatus.SUBMITTED:  # returned or approved by another reviewer meanwhile
            raise _moved_meanwhile(rnd, now_at)
        _check_as_submitted(rnd)
        for aw in Award.select().where(Award.round == rnd, Award.status.in_(PAID), Award.decision == Decision.PROPOSED.value):
            aw.decision = Decision.APPROVED.value if (aw.amount or ZERO) > 0 else Decision.REJECTED.value
            aw.save()
            _event(aw, user, Decision.PROPOSED.value, aw.decision, aw.amount, _("round approved"))
        at = now() if on is None else dt.datetime.combine(on, now().time())
        return _move(rnd, user, RoundStatus.APPROVED.value, reviewed_by=user, approved_at=at,
                     approved_digest=audit.lines_digest(rnd.id))


def _check_as_submitted(rnd: AwardRound) -> None:
    """Nothing in the program changes a submitted round's lines: if they no longer hash to what the
    audit log recorded at submission, an amount or status was edited in the database file, and the
    reviewer would approve (and then see notices issued for) money nobody entered. The submission's
    audit entry holds the round's digest (its lines included): the round must still match it."""
    if not audit.row_matches_log("award_round", rnd):
        raise StdAwardError(_("the award round for {year} no longer matches what {preparer} submitted (an amount, "
                              "status or decision was changed outside the program); it cannot be approved: return "
                              "it so that it is recomputed, or restore the database from a backup").format(
            year=rnd.year, preparer=rnd.prepared_by))


LEGACY_SEAL = "approval-digest"


def seal_legacy_approvals(user: str) -> int:
    """Rounds approved before schema 3 have no approval digest: record the lines as they stand (the
    migration calls this, so a round approved before the upgrade can still have its notices)."""
    sealed = 0
    for rnd in AwardRound.select().where(AwardRound.status == RoundStatus.APPROVED.value, AwardRound.approved_digest.is_null()):
        digest = audit.lines_digest(rnd.id)
        AwardRound.update(approved_digest=digest).where(AwardRound.id == rnd.id).execute()
        audit.record(user, LEGACY_SEAL, "award_round", rnd.uuid, None, {"digest": digest, "reviewed_by": rnd.reviewed_by})
        sealed += 1
    return sealed


def check_round_intact(rnd: AwardRound) -> None:
    """Refuse (StdAwardError naming the round) unless the round is approved and its lines are still
    exactly what its reviewer approved: the digest recorded at approval, the same digest in the
    audit log's approval entry, by the reviewer the round names. Notice issuing calls this."""
    from desktop.store.models import AuditEntry

    rnd = AwardRound.get_by_id(rnd.id)
    label = _("the award round for {year}").format(year=rnd.year)
    if rnd.status != RoundStatus.APPROVED:
        raise StdAwardError(_("{round} is not approved").format(round=label))
    entry = (AuditEntry.select().where(AuditEntry.entity == "award_round", AuditEntry.entity_uuid == rnd.uuid,
                                       AuditEntry.action.in_((RoundStatus.APPROVED.value, LEGACY_SEAL)))
             .order_by(AuditEntry.id.desc()).first())
    signed = (entry.after or {}).get("digest") if entry is not None else None
    by = (entry.after or {}).get("reviewed_by") if entry is not None and entry.action == LEGACY_SEAL else (
        entry.user if entry is not None else None)
    if entry is None or not rnd.approved_digest or signed != rnd.approved_digest or by != rnd.reviewed_by:
        raise StdAwardError(_("{round} is marked approved, but the audit log has no matching approval: it was "
                              "changed outside the program; no notice is issued for it").format(round=label))
    if audit.lines_digest(rnd.id) != rnd.approved_digest:
        raise StdAwardError(_("{round} no longer matches what {reviewer} approved (an amount, status or decision "
                              "was changed afterwards); no notice is issued for it").format(
                                  round=label, reviewer=rnd.reviewed_by))


def submitted(rnd: AwardRound, action: str) -> None:
    """Refuse (StdAwardError) to ``approve`` or ``return`` a round that is not submitted."""
    if rnd.status == RoundStatus.SUBMITTED:
        return
    if action == "approve":
        raise StdAwardError(_("only a submitted round can be approved (this one is {status})").format(
            status=round_status_label(rnd.status)))
    raise StdAwardError(_("only a submitted round can be returned (this one is {status})").format(
        status=round_status_label(rnd.status)))


def return_reason(note: str | None) -> None:
    if not (note or "").strip():
        raise StdAwardError(_("say why the round is returned"))


def return_round(rnd: AwardRound, user: str, note: str) -> AwardRound:
    """Send a submitted round back with the reason. Who may is the operations' check."""
    rnd = AwardRound.get_by_id(rnd.id)
    submitted(rnd, "return")
    return_reason(note)
    return _move(rnd, user, RoundStatus.RETURNED.value, note, reviewed_by=user)


def round_figures(round_id: int) -> tuple[int, Decimal, int]:
    """(lines, total paying and not rejected, discretionary lines without an amount), summed by the
    database but the money, which is added exactly in Python (each distinct amount once, times its
    lines)."""
    n, open_ = database.execute_sql(
        "SELECT count(*), coalesce(sum(CASE WHEN status = 'discretionary' AND amount IS NULL THEN 1 ELSE 0 END), 0) FROM award WHERE round_id = ?",
        (round_id,)).fetchone()
    paying = ", ".join("?" * len(PAID))
    amounts = database.execute_sql(f"SELECT amount, count(*) FROM award WHERE round_id = ? AND status IN ({paying}) "
                                   "AND amount IS NOT NULL AND decision != 'rejected' GROUP BY amount", (round_id, *PAID))
    return n, sum((to_money(a) * k for a, k in amounts), ZERO), open_  # (a round repeats a few amounts)


class LineRows:
    """A round's lines for its screen, by enterprise name, date and row, read with the cursor a batch
    at a time (a round may hold 10⁶ lines: none is held whole here). ``batches`` gives the rows as
    read (plain values: what a later reading compares), ``convert`` one row for the screen,
    ``figures`` what the totals need of it; each distinct date, amount and flag list is converted once
    (a round has few of them) and a status, clause, explanation or name repeated on many lines is one
    string."""

    SQL = ("SELECT w.id, w.uuid, w.status, w.amount, w.rule, w.clause, w.fund, w.explanation, w.flags, w.decision, "
           f"w.version, e.name, {records.ACH_COLUMNS_SQL} FROM award w JOIN achievement a ON a.id = w.achievement_id "
           "JOIN enterprise e ON e.id = a.enterprise_id WHERE w.round_id = ? ORDER BY e.name, a.date, a.id")

    def __init__(self, round_id: int, award_uuid: str | None = None) -> None:
        self.round_id = round_id
        self.award_uuid = award_uuid  # only that award's line
        self._amounts: dict[Any, Any] = {}
        self._flags: dict[Any, tuple[str, ...]] = {}
        self._dates: dict[Any, Any] = {}
        self._texts: dict[Any, Any] = {}

    def batches(self, size: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
        if self.award_uuid is None:
            cursor = database.execute_sql(self.SQL, (self.round_id,))
        else:
            cursor = database.execute_sql(self.SQL.replace("WHERE w.round_id = ?", "WHERE w.round_id = ? AND w.uuid = ?"),
                                          (self.round_id, self.award_uuid))
        while rows := cursor.fetchmany(size):
            yield rows

    def amount(self, raw: Any) -> Decimal | None:
        amount = self._amounts.get(raw, self._amounts)
        if amount is self._amounts:
            amount = self._amounts[raw] = Award.amount.python_value(raw)
        return amount

    def flags(self, raw: Any) -> tuple[str, ...]:
        fl = self._flags.get(raw)
        if fl is None:
            fl = self._flags[raw] = tuple(Award.flags.python_value(raw) or ())
        return fl

    def figures(self, row: tuple[Any, ...]) -> tuple[str, str, str, Decimal | None, str, bool]:
        """(enterprise name, fund, status, amount, decision, flagged) of a row as read."""
        return row[11], row[6] or "", row[2], self.amount(row[3]), row[9], bool(self.flags(row[8]))

    def convert(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """(award id, award uuid, status, amount, rule, clause, fund, explanation, flags (a tuple),
        decision, version, enterprise name, vocabulary achievement) of a row as read."""
        share = self._texts.setdefault
        day = self._dates.get(row[16])
        if day is None:
            day = self._dates[row[16]] = Achievement.date.python_value(row[16])
        return (row[0], row[1], share(row[2], row[2]), self.amount(row[3]), share(row[4], row[4]),
                share(row[5], row[5]), share(row[6], row[6]), share(row[7], row[7]), self.flags(row[8]),
                share(row[9], row[9]), row[10], share(row[11], row[11]),
                records.ach_from_sql((*row[12:16], day, *row[17:]))[1])


def round_results(rnd: AwardRound) -> list[AwardResult]:
    """The round's awards as AwardResult (with enterprise and fund), in achievement order."""
    q = (Award.select(Award, Achievement.source_id, Achievement.kind, Enterprise.uscc)
         .join(Achievement).join(Enterprise).where(Award.round == rnd)
         .order_by(Achievement.date, Achievement.id))
    return [AwardResult(aw.achievement.source_id, aw.status, aw.amount, aw.rule, aw.clause, aw.explanation,
                        tuple(aw.flags or ()), aw.achievement.enterprise.uscc, aw.fund, aw.achievement.kind)
            for aw in q]


# ---------------------------------------------------------------- entered target values

def target_values(policy_id: str) -> dict[str, list[TargetValue]]:
    out: dict[str, list[TargetValue]] = {}
    for tv in TargetValue.select().where(TargetValue.policy_id == policy_id).order_by(TargetValue.as_of):
        out.setdefault(tv.target_id, []).append(tv)
    return out


def enter_target_value(policy_id: str, target_id: str, value: str, as_of: dt.date, source: str,
                       user: str) -> TargetValue:
    """The office enters a figure for a target records cannot count (with its date and source); the
    operations check first that the policy has such a target."""
    try:
        Decimal(str(value).strip().rstrip("%"))
    except Exception:  # noqa: BLE001
        raise StdAwardError(_("{value!r} is not a number").format(value=value)) from None
    if not (source or "").strip():
        raise StdAwardError(_("say where the figure comes from"))
    with database.atomic():
        tv = TargetValue.create(policy_id=policy_id, target_id=target_id, value=str(value).strip(), as_of=as_of,
                                source=source.strip(), entered_by=user)
        audit.record(user, "create", "target_value", None, None,
                     {"policy": policy_id, "target": target_id, "value": tv.value, "as_of": as_of, "source": tv.source})
    return tv
