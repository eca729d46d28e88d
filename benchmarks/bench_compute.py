"""Benchmark: computing 100,000 mixed achievements (DESIGN.md bars), with same-run baselines.

    python3 dev.py bench compute        (or: .venv/bin/python benchmarks/bench.py compute)

Figures:
- engine.compute on 100,000 parsed achievements, per policy: ≤ 1 s and ≤ 3× a hand-written loop
  that looks each row's outcome up in a dict keyed by its fields, checks duplicates with a set and
  builds the same AwardResult objects (the least work that gives the same answer);
- ``stdaward compute --json`` on a 100,000-row file, as a subprocess: ≤ 4× a subprocess that merely
  reads that JSON file and writes it back out.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import Figure, best_of, script

ROOT = Path(__file__).resolve().parents[1]
N = 100_000


def enterprises(n: int, seed: int = 1) -> list[str]:
    from stdnum.cn import uscc

    rnd = random.Random(seed)
    out = []
    for _i in range(n):
        body = "9135" + "".join(rnd.choice("0123456789") for _j in range(4)) + "MA" + "".join(
            rnd.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _j in range(7))
        out.append(body + uscc.calc_check_digit(body))
    return out


def make_rows(n: int = N, seed: int = 42) -> list[dict]:
    """Mixed achievements as the vocabulary's JSON objects (valid, some duplicates)."""
    rnd = random.Random(seed)
    ents = enterprises(2000)
    prefixes = {"national": "GB/T", "industry": "QB/T", "local": "DB35/T", "group": "T/FJSP", "enterprise": "Q/PT"}
    rows = []
    for i in range(n):
        kind = rnd.choices(["standard", "secretariat", "prize", "pilot", "leader", "research", "gi", "project",
                            "good_behavior", "adoption"], weights=[50, 5, 8, 8, 5, 5, 3, 5, 5, 6])[0]
        y = rnd.randint(2012, 2025)
        r = {"id": f"r{i}", "enterprise": rnd.choice(ents), "kind": kind,
             "date": f"{y}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"}
        if kind == "standard":
            level = rnd.choice(["international", "national", "industry", "local", "group", "enterprise"])
            num = rnd.randint(1, 30000)
            r.update(level=level, action=rnd.choice(["formulate", "revise"]), rank=rnd.randint(1, 9),
                     ref=f"ISO {num}:{y}" if level == "international" else f"{prefixes[level]} {num}-{y}")
        elif kind == "secretariat":
            r.update(level=rnd.choice(["international", "national", "provincial", "municipal"]),
                     body=rnd.choice(["tc", "sc", "wg"]), ref=f"SAC/TC {rnd.randint(1, 600)}")
        elif kind == "prize":
            r.update(prize=rnd.choice(["china-innovation", "fujian-contribution", "chongqing-innovation"]),
                     grade=rnd.randint(1, 3), rank=rnd.randint(1, 3), ref=f"GB/T {rnd.randint(1, 30000)}-{y}")
        elif kind == "pilot":
            r.update(level=rnd.choice(["national", "provincial", "municipal"]), accepted=rnd.random() < 0.7,
                     domain=rnd.choice(["agriculture", "service", "park", "industry"]))
        elif kind in ("leader", "research"):
            r["level"] = rnd.choice(["national", "provincial"])
            if kind == "research":
                r["accepted"] = rnd.random() < 0.8
        elif kind == "gi":
            r.update(rank=rnd.randint(1, 3), ref=f"地理标志{rnd.randint(1, 500)}")
        elif kind == "project":
            r.update(level="municipal", ref=f"市级项目{i}")
        elif kind == "good_behavior":
            r.update(level=rnd.choice(["national", "provincial"]), grade=rnd.choice(["AAA", "AAAA", "AAAAA"]))
        else:
            r["ref"] = f"ISO {rnd.randint(1, 40000)}:2015"
        rows.append(r)
    return rows


def hand_written_loop(policy, achievements):  # noqa: ANN001
    """The baseline: a dict from the row's deciding fields to its outcome (built beforehand), a
    set for duplicates, and the same AwardResult objects."""
    from desktop.core.award import AwardResult
    from desktop.core.engine import decide

    table = {}
    for a in achievements:
        key = (a.kind, a.level, a.action, a.rank, a.body, a.prize, a.grade, a.domain, a.accepted, a.date.year)
        if key not in table:
            table[key] = decide(policy, a)
    refs: dict = {}

    def run() -> list:
        seen = set()
        out = []
        for a in achievements:
            o = table[(a.kind, a.level, a.action, a.rank, a.body, a.prize, a.grade, a.domain, a.accepted, a.date.year)]
            ident = (a.enterprise, a.kind, refs.get(a.ref) or refs.setdefault(a.ref, a.ref), a.action, a.date.year)
            if ident in seen:
                out.append(AwardResult(a.id, "duplicate", None, o.rule, o.clause, "dup", o.flags, a.enterprise, None, a.kind))
                continue
            seen.add(ident)
            out.append(AwardResult(a.id, o.status, o.amount, o.rule, o.clause, o.explanation, o.flags,
                                   a.enterprise, o.fund, a.kind))
        return out
    return run


def run() -> list[Figure]:
    from desktop.core.engine import compute
    from desktop.core.policies import load_policy
    from desktop.core.vocabulary import parse_batch

    rows = make_rows()
    achievements, problems = parse_batch(rows)
    assert not [p for p in problems if p.severity == "error"], problems[:3]
    figures = []
    for pid in ("putian-chengxiang-2021", "quanzhou-2012", "wenzhou-2017"):
        policy = load_policy(pid)
        baseline = hand_written_loop(policy, achievements)
        assert len(compute(policy, achievements)) == N
        figures.append(Figure(f"compute {N:,} achievements ({pid})", best_of(lambda policy=policy: compute(policy, achievements)),
                              "hand-written dict-lookup loop", best_of(baseline), bar_seconds=1.0, bar_ratio=3.0))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "achievements.json"
        path.write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
        env = {**os.environ, "STDAWARD_DATA": tmp, "STDAWARD_LANG": "en"}
        cli = [sys.executable, "-m", "desktop", "compute", "--policy", "putian-chengxiang-2021", "--input",
               str(path), "--json", "--db", str(Path(tmp) / "none.db")]
        plain = [sys.executable, "-c", "import json,sys; d=json.load(open(sys.argv[1], encoding='utf-8')); "
                 "sys.stdout.write(json.dumps(d, ensure_ascii=False))", str(path)]

        def call(argv: list[str]) -> None:
            subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)

        figures.append(Figure(f"stdaward compute --json, {N:,} rows (whole process)", best_of(lambda: call(cli)),
                              "python reading and writing that JSON", best_of(lambda: call(plain)), bar_ratio=4.0))
    return figures


if __name__ == "__main__":
    script(__doc__, run)
