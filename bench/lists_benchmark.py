"""Latency of the web lists, searches, saved filters and a busy detail page.

Why: issue 6 asks that every page a user waits for stays under 100 ms (p95, PostgreSQL) and
flat from 10k to a million entities. This script times the real views in-process, through
Django's test ``Client`` (middleware, session, view, SQL and template rendering; no network,
no server), on a database filled by ``bench/generate.py``, and splits each figure into SQL,
template rendering and the rest (Python: middleware, view code, ORM instances).

Usage (from the repository root)::

    TANDEM_HOME=/tmp/tandem-lists-bench .venv/bin/python bench/lists_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench \\
        .venv/bin/python bench/lists_benchmark.py --explain

Each run replaces its own "Lists" section of ``bench/RESULTS.md`` (one per vendor and data
size) and the summary table of every size measured so far.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmark import (
    RESULTS_FILE,
    Measure,
    database_facts,
    machine_facts,
    milliseconds,
    write_results,
)
from generate import BENCH_DIR, GenerationStats, setup_django

#: Figures above this p95 miss the issue's target (and are shown in bold).
TARGET_MS = 100.0
#: A common word of the generated names (one invented organisation in thirty) and a rare one
#: (one S&P 500 name: a single organisation at every size).
COMMON_WORD = "logistics"
RARE_WORD = "nvidia"
RUNS_DIR = BENCH_DIR / ".stats" / "lists"


class Recorder:
    """Times the SQL statements (an execute wrapper) and the template rendering (the
    outermost ``Template.render`` of Django's backend) of the calls it watches."""

    def __init__(self) -> None:
        self.sql_seconds = 0.0
        self.sql_in_render = 0.0
        self.render_seconds = 0.0
        self.statements: list[tuple[str, Any, float]] = []
        self.keep = False
        self._depth = 0

    def reset(self) -> None:
        self.sql_seconds = self.sql_in_render = self.render_seconds = 0.0
        self.statements = []

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.sql_seconds += elapsed
            if self._depth:
                self.sql_in_render += elapsed
            if self.keep:
                self.statements.append((sql, params, elapsed))

    def install_render_timer(self) -> None:
        from django.template.backends import django as backend

        original = backend.Template.render
        recorder = self

        def render(template: Any, context: Any = None, request: Any = None) -> str:
            recorder._depth += 1
            started = time.perf_counter()
            try:
                return original(template, context, request)
            finally:
                recorder._depth -= 1
                if not recorder._depth:
                    recorder.render_seconds += time.perf_counter() - started

        backend.Template.render = render


@dataclass
class PageMeasure(Measure):
    """A ``Measure`` of one page, with the mean time spent in SQL and in the templates."""

    url: str = ""
    sql: float = 0.0
    template: float = 0.0
    statements: list[tuple[str, Any, float]] = field(default_factory=list)


@dataclass
class Probe:
    name: str
    url: str
    note: str = ""


def timed_page(
    client: Any, recorder: Recorder, probe: Probe, samples: int, warmup: int, budget: float
) -> PageMeasure:
    """GET ``probe.url`` ``warmup`` times (fewer if that takes a quarter of ``budget``), once
    more recording its statements, then ``samples`` times (fewer when that would take more
    than ``budget`` seconds, at least three), timing each call."""
    from django.db import connection

    def get() -> float:
        started = time.perf_counter()
        response = client.get(probe.url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{probe.url}: HTTP {response.status_code}")
        return elapsed

    with connection.execute_wrapper(recorder):
        warm: list[float] = []
        while len(warm) < warmup and sum(warm) < budget / 4:
            warm.append(get())
        recorder.reset()
        recorder.keep = True
        get()
        recorder.keep = False
        statements = recorder.statements
        typical = statistics.median(warm) if warm else 0.0
        if typical * samples > budget:
            samples = max(3, int(budget / typical))
        recorder.reset()
        timings = [get() for _ in range(samples)]
        # SQL run while rendering (a lazy queryset in a template) counts as SQL, not template.
        sql = recorder.sql_seconds / samples
        template = (recorder.render_seconds - recorder.sql_in_render) / samples
    return PageMeasure(
        name=probe.name,
        timings=timings,
        queries=len(statements),
        note=probe.note,
        url=probe.url,
        sql=sql,
        template=template,
        statements=statements,
    )


def bench_user() -> Any:
    from tandem.core.models import User

    user, _created = User.objects.get_or_create(
        username="lists-bench", defaults={"language": "en", "is_superuser": True}
    )
    return user


def busy_organisation(stats: GenerationStats | None) -> tuple[Any, int]:
    """The organisation ``generate.py --busy-relations`` topped up, else the organisation
    with the most relations; with its relation count."""
    from django.db.models import Count

    from tandem.core.models import Relation
    from tandem.persons.models import Organisation

    if stats is not None and stats.busy_organisation:
        found = Organisation.objects.filter(uuid=stats.busy_organisation).first()
        if found is not None:
            return found, Relation.objects.filter(subject_id=found.pk).count()
    row = (
        Relation.objects.filter(subject__entity_type=Organisation.get_entity_type())
        .values("subject_id")
        .annotate(count=Count("pk"))
        .order_by("-count")
        .first()
    )
    if row is None:
        raise SystemExit("No relations: run bench/generate.py first.")
    return Organisation.objects.get(pk=row["subject_id"]), row["count"]


def saved_filter(user: Any, name: str, model: Any, conditions: list[dict[str, Any]]) -> Any:
    """The bench's filter of this name, created on first use (kept for the next runs)."""
    from tandem.core.models import EntityFilter
    from tandem.core.services.filters import create_filter

    entity_type = model.get_entity_type()
    existing = EntityFilter.objects.filter(name=name, entity_type=entity_type).first()
    if existing is not None and existing.conditions == conditions:
        return existing
    if existing is not None:
        existing.delete()
    return create_filter(user=user, name=name, entity_type=entity_type, conditions=conditions)


def my_customers_filter() -> Any:
    """The built-in "My customers" filter of organisations (customers of a managed one)."""
    from tandem.core.models import EntityFilter
    from tandem.persons import constants
    from tandem.persons.models import Organisation

    for candidate in EntityFilter.objects.filter(
        is_builtin=True, entity_type=Organisation.get_entity_type()
    ):
        conditions = candidate.conditions
        if (
            len(conditions) == 1
            and conditions[0]["type"] == "relation_filter"
            and conditions[0]["relation_type"] == constants.REL_SUB_CUSTOMER_SUPPLIER
        ):
            return candidate
    raise SystemExit("The built-in “My customers” filter is missing: run `tandem populate`.")


def count(queryset: Any) -> str:
    return f"{queryset.count():,}"


def matches(queryset: Any) -> str:
    found = queryset.count()
    return f"{found:,} match" if found == 1 else f"{found:,} matches"


def probes(user: Any, stats: GenerationStats | None) -> list[Probe]:
    """The pages to time, with what makes each one what it is (matches, sizes)."""
    from tandem.core.selectors import NOT_TRASHED, search_entities
    from tandem.persons import constants
    from tandem.persons.models import Address, Contact, Organisation
    from tandem.web.listing import encode_cursor

    organisations = Organisation.objects.filter(NOT_TRASHED)
    # A deep page: the one after the first organisation of the second half of the alphabet.
    middle = organisations.filter(sort_label__gte="m").order_by("sort_label", "pk").first()
    before_middle = organisations.filter(sort_label__lt=middle.sort_label).count()
    cursor = encode_cursor(middle.sort_label, middle.pk)
    busy, busy_count = busy_organisation(stats)
    customers_of_busy = saved_filter(
        user,
        f"Bench: customers of {busy.label}",
        Organisation,
        [
            {
                "type": "relation",
                "relation_type": constants.REL_SUB_CUSTOMER_SUPPLIER,
                "has": True,
                "entity": str(busy.uuid),
            }
        ],
    )
    employed_by_customers = saved_filter(
        user,
        f"Bench: employees of the customers of {busy.label}",
        Contact,
        [
            {
                "type": "relation_filter",
                "relation_type": constants.REL_SUB_EMPLOYED_BY,
                "has": True,
                "filter": customers_of_busy.pk,
            }
        ],
    )
    employed_by_mine = saved_filter(
        user,
        "Bench: employees of my customers",
        Contact,
        [
            {
                "type": "relation_filter",
                "relation_type": constants.REL_SUB_EMPLOYED_BY,
                "has": True,
                "filter": my_customers_filter().pk,
            }
        ],
    )
    from tandem.core.filters import apply_filter

    def matching(model: Any, entity_filter: Any) -> str:
        return count(apply_filter(model.objects.filter(NOT_TRASHED), entity_filter, user))

    found = [
        Probe("list, page 1 (by name)", "/organisations/", "25 rows"),
        Probe(
            "list, deep page (by name)",
            f"/organisations/?after={cursor}",
            f"after “{middle.label}”, {before_middle:,} rows before it",
        ),
    ]
    for word in (COMMON_WORD, RARE_WORD):
        found.append(
            Probe(
                f"quick search “{word}”",
                f"/organisations/?q={word}",
                matches(organisations.filter(search_text__contains=word)),
            )
        )
    city = Address.objects.exclude(city="").values_list("city", flat=True).order_by("city").first()
    if city:
        found.append(
            Probe(
                f"column search city “{city}”",
                f"/organisations/?f_billing_address__city={city}",
                matches(organisations.filter(billing_address__city=city)),
            )
        )
    else:
        found.append(
            Probe(
                f"column search e-mail “{RARE_WORD}”",
                f"/organisations/?f_email={RARE_WORD}",
                "no address in the generated data, so the e-mail column instead of the city; "
                + matches(organisations.filter(email__contains=RARE_WORD)),
            )
        )
    for word in (COMMON_WORD, RARE_WORD):
        found.append(
            Probe(
                f"global search “{word}”",
                f"/search/?q={word}",
                f"{matches(search_entities(word))} (50 shown at most)",
            )
        )
    found += [
        Probe(
            "filter: customers of A",
            f"/organisations/?filter={customers_of_busy.pk}",
            f"A = “{busy.label}”; {matching(Organisation, customers_of_busy)} organisations",
        ),
        Probe(
            "filter: employed by (customers of A)",
            f"/contacts/?filter={employed_by_customers.pk}",
            f"relation to a sub-filter; {matching(Contact, employed_by_customers)} contacts",
        ),
        Probe(
            "filter: employed by (my customers)",
            f"/contacts/?filter={employed_by_mine.pk}",
            "sub-filter: the built-in “My customers” (customers of an organisation managed "
            f"by us); {matching(Contact, employed_by_mine)} contacts",
        ),
        Probe(
            "detail page of A",
            f"/organisations/{busy.uuid}/",
            f"{busy_count:,} relations",
        ),
    ]
    return found


def explain(measure: PageMeasure, top: int) -> str:
    """The database's plan (with actual times on PostgreSQL) of the slowest statements."""
    from django.db import connection

    vendor = connection.vendor
    prefix = {
        "postgresql": "EXPLAIN (ANALYZE, BUFFERS) ",
        "sqlite": "EXPLAIN QUERY PLAN ",
        "mysql": "EXPLAIN ANALYZE ",
    }[vendor]
    lines = [f"### {measure.name}: {measure.url}"]
    slowest = sorted(measure.statements, key=lambda item: -item[2])[:top]
    for sql, params, elapsed in slowest:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        lines += ["", f"-- {elapsed * 1000:.1f} ms", sql, ""]
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
        if vendor == "sqlite":
            lines += [f"  {row[0]} {row[1]} {row[3]}" for row in rows]
        else:
            lines += [str(row[0]) for row in rows]
    return "\n".join(lines)


def size_label(entities: int) -> str:
    """10,001 entities → "10k"; 2,000,001 → "2M": two significant digits."""
    rounded = float(f"{entities:.2g}")
    if rounded >= 1_000_000:
        return f"{rounded / 1_000_000:g}M"
    if rounded >= 1000:
        return f"{rounded / 1000:g}k"
    return f"{rounded:g}"


def load_generation_stats() -> GenerationStats | None:
    """The generator's stats for this very database (SQLite homes share a file name)."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    for path in sorted((BENCH_DIR / ".stats").glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("database") == name:
            known = GenerationStats.__dataclass_fields__
            return GenerationStats(**{k: v for k, v in data.items() if k in known})
    return None


def command_line() -> str:
    """The command of this run, with the environment variable that picks the database."""
    env = ""
    if os.environ.get("DATABASE_URL"):
        env = f"DATABASE_URL={os.environ['DATABASE_URL']} "
    elif os.environ.get("TANDEM_HOME"):
        env = f"TANDEM_HOME={os.environ['TANDEM_HOME']} "
    return f"{env}.venv/bin/python bench/lists_benchmark.py {shlex.join(sys.argv[1:])}".rstrip()


def code_line() -> str:
    """The commit measured, and whether the source had uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(  # noqa: S603 (our own command)
                ["git", *args],  # noqa: S607
                cwd=BENCH_DIR.parent,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "- Code: not a git checkout"
    dirty = " with uncommitted changes in `src/`" if git("status", "--porcelain", "src") else ""
    return f"- Code: commit {commit}{dirty}"


def generator_line(stats: GenerationStats | None) -> str:
    if stats is None:
        return "- Generator: no stats of `generate.py` for this database"
    command = stats.command or "bench/generate.py"
    env = command_line().split(" .venv/")[0]
    entities = stats.organisations_written + stats.contacts_written
    return (
        f"- Generated by `{env} .venv/bin/python {command}` (seed {stats.seed}): "
        f"{entities:,} entities at {stats.entities_per_second:,.0f}/s, "
        f"{stats.relation_pairs_written:,} relation pairs at {stats.pairs_per_second:,.0f}/s"
    )


def ms(seconds: float) -> str:
    return milliseconds(seconds)


def table(measures: Sequence[PageMeasure]) -> str:
    lines = [
        "| page | samples | queries | mean ms | p50 ms | p95 ms | max ms "
        "| SQL ms | template ms | other ms | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in measures:
        p95 = m.percentile(0.95)
        shown = f"**{ms(p95)}**" if p95 * 1000 > TARGET_MS else ms(p95)
        other = max(0.0, m.mean - m.sql - m.template)
        lines.append(
            f"| {m.name} | {len(m.timings)} | {m.queries} | {ms(m.mean)} "
            f"| {ms(m.percentile(0.5))} | {shown} | {ms(max(m.timings))} "
            f"| {ms(m.sql)} | {ms(m.template)} | {ms(other)} | {m.note} |"
        )
    return "\n".join(lines)


def section(
    measures: Sequence[PageMeasure],
    facts: dict[str, Any],
    stats: GenerationStats | None,
    label: str,
) -> str:
    from django.utils import timezone

    lines = [
        f"## Lists on {facts['version']}, {label} entities",
        "",
        f"- Date: {timezone.now():%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine_facts()}",
        f"- Database: {facts['version']}, {facts['settings']}, "
        f"{facts['size'] / 1024**3:.2f} GiB on disk",
        f"- Data: {facts['entities']:,} entities ({facts['organisations']:,} organisations, "
        f"{facts['contacts']:,} contacts), {facts['relations'] // 2:,} relation pairs "
        f"({facts['relations']:,} relation rows), {facts['history']:,} history entries",
        generator_line(stats),
        code_line(),
        f"- Measured by `{command_line()}`",
        "",
        table(measures),
        "",
    ]
    return "\n".join(lines)


def save_run(vendor: str, label: str, entities: int, measures: Sequence[PageMeasure]) -> None:
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    data = {
        "vendor": vendor,
        "label": label,
        "entities": entities,
        "p95": {m.name: m.percentile(0.95) for m in measures},
        "p50": {m.name: m.percentile(0.5) for m in measures},
    }
    (RUNS_DIR / f"{vendor}-{label}.json").write_text(json.dumps(data, indent=2) + "\n")


def summary() -> str:
    """p50 / p95 of every page across the runs on file, sizes side by side per vendor."""
    runs = [json.loads(path.read_text()) for path in sorted(RUNS_DIR.glob("*.json"))]
    runs.sort(key=lambda run: (run["vendor"] != "postgresql", run["vendor"], run["entities"]))
    names: list[str] = []
    for run in runs:
        names += [name for name in run["p95"] if name not in names]
    header = " | ".join(f"{run['vendor']} {run['label']}" for run in runs)
    lines = [
        "## Lists: p50 / p95 in ms by database and size",
        "",
        "From the latest run of `bench/lists_benchmark.py` on each database (the sections "
        f"below give the details and the commands); p95 above {TARGET_MS:.0f} ms in bold.",
        "",
        f"| page | {header} |",
        "| --- |" + " ---: |" * len(runs),
    ]
    for name in names:
        cells = []
        for run in runs:
            p95 = run["p95"].get(name)
            if p95 is None:
                cells.append("")
                continue
            shown = f"**{ms(p95)}**" if p95 * 1000 > TARGET_MS else ms(p95)
            cells.append(f"{ms(run['p50'][name])} / {shown}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100, help="timed calls per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls first")
    parser.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="seconds per page at most: a slow page gets fewer samples (at least 3)",
    )
    parser.add_argument("--only", action="append", default=[], help="pages whose name has this")
    parser.add_argument("--label", help="the size in the section title (default: from counts)")
    parser.add_argument(
        "--explain", action="store_true", help="print the plans of the slowest statements"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print the table without touching RESULTS.md"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    setup_django()
    from tandem.wsgi import freeze_startup_objects

    freeze_startup_objects()  # what `tandem serve`'s workers do after loading Tandem
    from django.db import connection
    from django.test import Client

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    stats = load_generation_stats()
    user = bench_user()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    recorder = Recorder()
    recorder.install_render_timer()
    measures = []
    for probe in probes(user, stats):
        if args.only and not any(part in probe.name for part in args.only):
            continue
        measure = timed_page(client, recorder, probe, args.samples, args.warmup, args.budget)
        print(
            f"  {measure.name}: p50 {ms(measure.percentile(0.5))} ms, "
            f"p95 {ms(measure.percentile(0.95))} ms, {measure.queries} queries",
            flush=True,
        )
        measures.append(measure)
        if args.explain:
            print(explain(measure, top=2), flush=True)
    facts = database_facts()
    label = args.label or size_label(facts["entities"])
    text = section(measures, facts, stats, label)
    print(text)
    if args.no_write or args.only:
        return
    save_run(facts["vendor"], label, facts["entities"], measures)
    write_results(f"lists-{facts['vendor']}-{label}", text)
    write_results("lists-summary", summary())
    print(f"Written to {RESULTS_FILE}")


if __name__ == "__main__":
    main()
