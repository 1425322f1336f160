"""Measure the latency of the engine's relation operations on a generated database.

Why: ``bench/generate.py`` makes a large database; this script times what a user waits for
on it (linking, unlinking, opening an entity's relations) and files the figures, with the
machine and the data sizes, in ``bench/RESULTS.md`` so that runs can be compared.

Usage (from the repository root, on a database filled by ``bench/generate.py``)::

    TANDEM_HOME=/tmp/tandem-bench .venv/bin/python bench/benchmark.py --samples 200
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generate import BENCH_DIR, RELATION_MIX, GenerationStats, load_stats, setup_django

RESULTS_FILE = BENCH_DIR / "RESULTS.md"
RESULTS_INTRO = """\
# Benchmark results

Latency of the engine's relation operations on a large generated database, one section per
database vendor (each run replaces its vendor's section). How to reproduce, from the
repository root (see `bench/README.md` for details):

```sh
# SQLite, in a scratch TANDEM_HOME
export TANDEM_HOME=/tmp/tandem-bench
.venv/bin/python bench/generate.py --reset \\
    --organisations 500000 --contacts 500000 --relations 1000000
.venv/bin/python bench/benchmark.py --samples 200

# PostgreSQL, in a database of its own
createdb -h 127.0.0.1 -U postgres tandem_bench
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench
.venv/bin/python bench/generate.py --reset \\
    --organisations 500000 --contacts 500000 --relations 1000000
.venv/bin/python bench/benchmark.py --samples 200
dropdb -h 127.0.0.1 -U postgres tandem_bench
```

Latencies are wall-clock times of one service or selector call, measured with
`time.perf_counter` in the calling process (client, driver and database together), after a
few warm-up calls; "queries" is the number of SQL statements of one typical call.
"""


@dataclass
class Measure:
    """The timings of one operation, in seconds, and what one call costs in statements."""

    name: str
    timings: list[float]
    queries: int
    note: str = ""

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.timings)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.timings)


def timed(
    name: str,
    samples: int,
    prepare: Callable[[], Any],
    run: Callable[[Any], Any],
    *,
    warmup: int = 5,
    note: str = "",
) -> Measure:
    """Call ``run(prepare())`` ``samples`` times, timing ``run`` only; count one call's
    statements apart so that counting does not slow the timed calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        run(prepare())
    argument = prepare()
    with CaptureQueriesContext(connection) as captured:
        run(argument)
    timings = []
    for _ in range(samples):
        argument = prepare()
        started = time.perf_counter()
        run(argument)
        timings.append(time.perf_counter() - started)
    return Measure(name, timings, len(captured), note)


class Sampler:
    """Random arguments for the operations, drawn outside the timed calls."""

    def __init__(self, rng: random.Random) -> None:
        from tandem.persons.models import Contact, Organisation

        self.rng = rng
        self.pools = {
            "organisation": list(Organisation.objects.values_list("pk", flat=True)),
            "contact": list(Contact.objects.values_list("pk", flat=True)),
        }
        self.mix = RELATION_MIX

    def entity(self) -> Any:
        """A uniformly random organisation or contact, as a plain Entity (what views load)."""
        from tandem.core.models import Entity

        pool = self.pools[self.rng.choice(("organisation", "contact"))]
        return Entity.objects.get(pk=self.rng.choice(pool))

    def new_pair(self) -> tuple[Any, str, Any]:
        """A (subject, type id, object) that the type accepts and that is not linked yet."""
        from tandem.core.models import Entity, Relation

        while True:
            type_id, _, subject_pool, object_pool = self.rng.choices(
                self.mix, weights=[share for _, share, _, _ in self.mix]
            )[0]
            subject_id = self.rng.choice(self.pools[subject_pool])
            object_id = self.rng.choice(self.pools[object_pool])
            if (
                subject_id == object_id
                or Relation.objects.filter(
                    subject_id=subject_id, type_id=type_id, object_id=object_id
                ).exists()
            ):
                continue
            entities = Entity.objects.in_bulk([subject_id, object_id])
            return entities[subject_id], type_id, entities[object_id]

    def relation(self) -> Any:
        """A random existing, non-internal relation."""
        from django.db.models import Max, Min

        from tandem.core.models import Relation

        bounds = Relation.objects.aggregate(low=Min("pk"), high=Max("pk"))
        while True:
            start = self.rng.randint(bounds["low"], bounds["high"])
            relation = (
                Relation.objects.filter(pk__gte=start, type__is_internal=False)
                .order_by("pk")
                .first()
            )
            if relation is not None:
                return relation


def busiest_entity() -> tuple[Any, int]:
    """The entity with the most relations, and how many: the worst case of a relation block."""
    from django.db.models import Count

    from tandem.core.models import Entity, Relation

    row = (
        Relation.objects.values("subject_id").annotate(count=Count("pk")).order_by("-count").first()
    )
    if row is None:
        return Entity.objects.order_by("pk").first(), 0
    return Entity.objects.get(pk=row["subject_id"]), row["count"]


def run_benchmarks(samples: int, seed: int) -> list[Measure]:
    """Time link, unlink and relations_of (random and busiest entity)."""
    from tandem.core.selectors import relations_of
    from tandem.core.services import link, unlink

    rng = random.Random(seed)
    sampler = Sampler(rng)
    sizes: list[int] = []

    def read(entity: Any) -> None:
        sizes.append(len(relations_of(entity)))

    measures = [
        timed(
            "link",
            samples,
            sampler.new_pair,
            lambda args: link(user=None, subject=args[0], relation_type=args[1], object=args[2]),
        ),
        timed("unlink", samples, sampler.relation, lambda r: unlink(user=None, relation=r)),
    ]
    measure = timed("relations_of (random entity)", samples, sampler.entity, read)
    sizes = sizes[-samples:]
    measure.note = f"{statistics.fmean(sizes):.1f} relations on average, at most {max(sizes):,}"
    measures.append(measure)
    busiest, count = busiest_entity()
    measures.append(
        timed(
            "relations_of (busiest entity)",
            max(10, samples // 10),
            lambda: busiest,
            relations_of,
            warmup=2,
            note=f"“{busiest.label}”: {count:,} relations",
        )
    )
    return measures


def database_facts() -> dict[str, Any]:
    """Vendor, version, on-disk size and row counts of the configured database."""
    from django.db import connection

    from tandem.core.models import Entity, HistoryEntry, Relation
    from tandem.persons.models import Contact, Organisation

    facts: dict[str, Any] = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            facts["version"] = "PostgreSQL " + cursor.fetchone()[0].split()[0]
            cursor.execute("SELECT pg_database_size(current_database())")
            facts["size"] = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            facts["settings"] = f"shared_buffers={cursor.fetchone()[0]}"
        elif connection.vendor == "sqlite":
            facts["version"] = "SQLite " + connection.Database.sqlite_version
            path = Path(str(connection.settings_dict["NAME"]))
            facts["size"] = sum(
                candidate.stat().st_size
                for candidate in (path, path.with_name(path.name + "-wal"))
                if candidate.exists()
            )
            facts["settings"] = "WAL, synchronous=NORMAL (Tandem's settings)"
        else:
            cursor.execute("SELECT VERSION()")
            facts["version"] = f"{connection.display_name} {cursor.fetchone()[0]}"
            facts["size"] = 0
            facts["settings"] = ""
    facts["organisations"] = Organisation.objects.count()
    facts["contacts"] = Contact.objects.count()
    facts["entities"] = Entity.objects.count()
    facts["relations"] = Relation.objects.count()
    facts["history"] = HistoryEntry.objects.count()
    return facts


def machine_facts() -> str:
    """CPU count and model, memory and OS: what a reader needs to compare figures."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = f" ({match.group(1).strip()})" if match else ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f", {int(match.group(1)) / 1024**2:.1f} GiB RAM" if match else ""
    return f"{os.cpu_count()} CPUs{model}{memory}, {platform.system()} {platform.release()}"


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def table(measures: Sequence[Measure]) -> str:
    lines = [
        "| operation | samples | queries | mean ms | p50 ms | p95 ms | max ms | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for measure in measures:
        lines.append(
            f"| {measure.name} | {len(measure.timings)} | {measure.queries} "
            f"| {milliseconds(measure.mean)} | {milliseconds(measure.percentile(0.5))} "
            f"| {milliseconds(measure.percentile(0.95))} "
            f"| {milliseconds(max(measure.timings))} | {measure.note} |"
        )
    return "\n".join(lines)


def section(
    measures: Sequence[Measure], facts: dict[str, Any], stats: GenerationStats | None
) -> str:
    """The Markdown section of one vendor's run."""
    from django.utils import timezone

    pairs = facts["relations"] // 2
    lines = [
        f"## {facts['version']}",
        "",
        f"- Date: {timezone.now():%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine_facts()}",
        f"- Database: {facts['version']}, {facts['settings']}, "
        f"{facts['size'] / 1024**3:.2f} GiB on disk",
        f"- Data: {facts['entities']:,} entities ({facts['organisations']:,} organisations, "
        f"{facts['contacts']:,} contacts), {pairs:,} relation pairs "
        f"({facts['relations']:,} relation rows), {facts['history']:,} history entries",
    ]
    if stats is not None and stats.vendor == facts["vendor"]:
        entities = stats.organisations_written + stats.contacts_written
        lines.append(
            f"- Generator: {entities:,} entities in {stats.entity_seconds:,.0f} s = "
            f"**{stats.entities_per_second:,.0f} entities/s**; "
            f"{stats.relation_pairs_written:,} relation pairs through `bulk_link` in "
            f"{stats.relation_seconds:,.0f} s = **{stats.pairs_per_second:,.0f} pairs/s** "
            f"(seed {stats.seed})"
        )
    lines += ["", table(measures), ""]
    return "\n".join(lines)


def write_results(vendor: str, text: str, path: Path = RESULTS_FILE) -> None:
    """Replace this vendor's section of RESULTS.md (between markers), or append it."""
    start, end = f"<!-- results:{vendor}:start -->", f"<!-- results:{vendor}:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}\n"
    current = path.read_text() if path.exists() else RESULTS_INTRO
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(current):
        current = pattern.sub(lambda _: block, current)
    else:
        current = current.rstrip() + "\n\n" + block
    path.write_text(current)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-write", action="store_true", help="print the table without touching RESULTS.md"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    setup_django()
    from django.db import connection

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    measures = run_benchmarks(args.samples, args.seed)
    facts = database_facts()
    text = section(measures, facts, load_stats())
    print(text)
    if not args.no_write:
        write_results(facts["vendor"], text)
        print(f"Written to {RESULTS_FILE}")


if __name__ == "__main__":
    main()
