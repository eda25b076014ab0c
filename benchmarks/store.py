"""Benchmark: the encrypted, audited case store against a naive plaintext baseline.

Builds a large synthetic case (thousands of actors, relations, engagements, commitments,
judgements), then times in the same process:

- parsing its YAML file with validation vs. a bare ``yaml.safe_load``;
- saving it to the store (field encryption, audit entry, one transaction) and reading it
  back (decryption, validation) vs. writing and reading the same document as one plaintext
  JSON blob in SQLite (what a store without discretion would cost);
- verifying an audit chain of many entries.

Prints each figure and the ratio to its baseline. Run: ``.venv/bin/python benchmarks/store.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from backchannel.casefile import dump_case, parse_case
from backchannel.model import (
    Actor,
    ActorKind,
    Case,
    Commitment,
    CommitmentKind,
    Context,
    Engagement,
    Judgement,
    Period,
    Relation,
    RelationKind,
)
from backchannel.model.vocabulary import Channel
from backchannel.settings import Settings
from backchannel.store.service import CaseStore

ACTORS, RELATIONS, ENGAGEMENTS, COMMITMENTS, JUDGEMENTS = 2_000, 6_000, 1_500, 500, 1_000
AUDIT_ENTRIES = 2_000


def synthetic_case(case_id: str = "bench") -> Case:
    """A deterministic case far larger than any real one."""
    start = dt.date(2013, 1, 1)
    kinds = list(ActorKind)
    relation_kinds = list(RelationKind)
    actors = [
        Actor(
            id=f"a{i}",
            name=f"Actor {i}",
            aliases=[f"A{i}"],
            kind=kinds[i % len(kinds)],
            notes=f"Notes on actor {i}: contact through the market elders.",
        )
        for i in range(ACTORS)
    ]
    relations = [
        Relation(
            id=f"r{i}",
            source=f"a{i % ACTORS}",
            target=f"a{(i * 7 + 1) % ACTORS}" if (i * 7 + 1) % ACTORS != i % ACTORS else "a0",
            kind=relation_kinds[i % len(relation_kinds)],
            strength=(i % 10) / 10,
        )
        for i in range(RELATIONS)
    ]
    engagements = [
        Engagement(
            id=f"e{i}",
            date=start + dt.timedelta(days=i % 700),
            channel=Channel.DIRECT,
            counterparts=[f"a{i % ACTORS}"],
            participants=["field coordinator", "deputy commander"],
            summary=f"Discussed access to the clinic in district {i}.",
        )
        for i in range(ENGAGEMENTS)
    ]
    commitments = [
        Commitment(
            id=f"c{i}",
            party=f"a{i % ACTORS}",
            kind=CommitmentKind.HUMANITARIAN_ACCESS,
            text=f"Allow convoys through checkpoint {i}.",
            start=start,
        )
        for i in range(COMMITMENTS)
    ]
    judgements = [
        Judgement(
            id=f"j{i}",
            analyst="analyst",
            at=dt.datetime(2013, 6, 1, tzinfo=dt.UTC),
            subject="condition:cohesion",
            finding="fragmented",
            evidence=f"Report {i}.",
        )
        for i in range(JUDGEMENTS)
    ]
    return Case(
        id=case_id,
        context=Context(title="Benchmark", country="CAF", period=Period(start=start)),
        actors=actors,
        relations=relations,
        engagements=engagements,
        commitments=commitments,
        judgements=judgements,
    )


def timed(work: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    """Run every measurement and print figures with their ratios."""
    case = synthetic_case()
    records = sum(len(getattr(case, c)) for c in Case.COLLECTIONS)
    text = dump_case(case)
    print(f"synthetic case: {records:,} records, YAML {len(text) / 1e6:.1f} MB")

    parse_time, _ = timed(lambda: parse_case(text))
    bare_time, _ = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    print(
        f"parse+validate {parse_time:.2f} s vs bare libyaml load {bare_time:.2f} s: "
        f"ratio {parse_time / bare_time:.2f}"
    )

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder), database_url=None, secret_key=None, key_file=None
        )
        store = CaseStore.open(settings, user_name="bench")
        save_time, _ = timed(lambda: store.save_case(case), repeat=2)
        load_time, loaded = timed(lambda: store.get_case(case.id), repeat=2)
        assert loaded == case

        document = json.dumps(case.model_dump(mode="json"))
        naive = sqlite3.connect(Path(folder) / "naive.sqlite")
        naive.execute("CREATE TABLE cases (id TEXT PRIMARY KEY, document TEXT)")

        def naive_save() -> None:
            with naive:
                naive.execute("INSERT OR REPLACE INTO cases VALUES (?, ?)", (case.id, document))

        def naive_load() -> Case:
            (stored,) = naive.execute("SELECT document FROM cases").fetchone()
            return Case.model_validate_json(stored)

        naive_save_time, _ = timed(naive_save)
        naive_load_time, _ = timed(naive_load)
        print(
            f"store save {save_time:.2f} s ({records / save_time:,.0f} records/s) vs plaintext "
            f"blob {naive_save_time:.3f} s: ratio {save_time / naive_save_time:.1f}"
        )
        print(
            f"store load {load_time:.2f} s ({records / load_time:,.0f} records/s) vs plaintext "
            f"blob {naive_load_time:.3f} s: ratio {load_time / naive_load_time:.1f}"
        )

        small = synthetic_case("small").model_copy(
            update={
                "actors": case.actors[:5],
                "relations": [],
                "engagements": [],
                "commitments": [],
                "judgements": [],
            }
        )
        started = time.perf_counter()
        for n in range(AUDIT_ENTRIES):
            store.save_case(small.model_copy(update={"id": f"small-{n % 50}"}))
        append_time = time.perf_counter() - started
        verify_time, verification = timed(store.verify_audit)
        assert verification.ok
        print(
            f"{AUDIT_ENTRIES:,} audited small saves {append_time:.2f} s "
            f"({AUDIT_ENTRIES / append_time:,.0f}/s); verifying {verification.entries:,} entries "
            f"{verify_time:.3f} s ({verification.entries / verify_time:,.0f} entries/s)"
        )
        store.close()


if __name__ == "__main__":
    main()
