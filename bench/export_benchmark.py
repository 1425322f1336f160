"""Measure exports: N contacts as CSV and as XLSX, rows per second and peak memory.

Why: an export must stream. Its memory must stay flat whatever the number of rows (a
million contacts must not need a million rows in memory), and its speed must stay linear.
This script exports the first N contacts (by id) of the configured database, each
(size, format) in a fresh child process so that its peak RSS is its own, and prints rows/s,
the peak RSS above the process's own before the export, and the SQL statements it sent.

It reuses the database ``bench/generate.py`` filled (contacts, organisations, relations), and
tops it up with generate.py when there are fewer contacts than the largest size asked.

Usage (from the repository root)::

    TANDEM_HOME=/tmp/tandem-bench .venv/bin/python bench/export_benchmark.py
    TANDEM_HOME=/tmp/tandem-bench .venv/bin/python bench/export_benchmark.py --size 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench \\
        .venv/bin/python bench/export_benchmark.py --size 10000 --size 100000 --format csv
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark import machine_facts, write_results
from generate import setup_django

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_SIZES = (10_000, 100_000)
FORMATS = ("csv", "xlsx")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size",
        type=int,
        action="append",
        help="contacts to export; repeat for several (default: 10000 and 100000)",
    )
    parser.add_argument("--format", choices=FORMATS, action="append", help="default: both")
    parser.add_argument(
        "--columns",
        choices=("all", "list"),
        default="all",
        help="all: every field, properties, relation columns (default); list: the list's",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also report Python's own peak allocation (slower: every allocation is traced)",
    )
    parser.add_argument("--no-generate", action="store_true", help="never add contacts")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def ensure_contacts(size: int) -> int:
    """At least ``size`` contacts, generating the missing ones (with organisations and
    relations, as generate.py makes them); returns how many there are."""
    import generate
    from tandem.persons.models import Contact

    present = Contact.objects.count()
    if present >= size:
        return present
    missing = size - present
    print(f"{present:,} contacts; generating {missing:,} more with generate.py…", flush=True)
    generate.main(
        [
            "--organisations",
            str(max(1000, missing // 5)),
            "--contacts",
            str(missing),
            "--relations",
            str(missing),
        ]
    )
    return Contact.objects.count()


def rss_kib() -> int:
    """The process's current resident memory (KiB), from /proc where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(size: int, export_format: str, columns: str, traced: bool) -> dict[str, Any]:
    """Export the first ``size`` contacts once, in this process, and report."""
    from django.db import connection

    from tandem.core.registry import entity_types
    from tandem.core.selectors import NOT_TRASHED
    from tandem.io.export import export_entities, list_columns
    from tandem.persons.models import Contact

    info = entity_types.for_slug("contacts")
    ids = Contact.objects.filter(NOT_TRASHED).order_by("pk").values_list("pk", flat=True)
    last = next(iter(ids[size - 1 : size]), None)
    queryset = Contact.objects.filter(NOT_TRASHED, entity_type_id=info.content_type.pk)
    if last is not None:
        queryset = queryset.filter(pk__lte=last)
    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    before_rss = rss_kib()
    if traced:
        tracemalloc.start()
    written = 0
    with tempfile.TemporaryDirectory(prefix="tandem-export-bench-") as directory:
        target = Path(directory) / f"contacts.{export_format}"
        started = time.perf_counter()
        with connection.execute_wrapper(count), target.open("wb") as handle:
            stream = export_entities(
                info,
                queryset,
                export_format,
                columns=list_columns(info) if columns == "list" else None,
            )
            for block in stream:
                handle.write(block)
                written += len(block)
        seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
    if traced:
        tracemalloc.stop()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "size": size,
        "format": export_format,
        "rows": stream.rows,
        "seconds": seconds,
        "rows_per_second": stream.rows / seconds if seconds else 0.0,
        "bytes": written,
        "rss_before_kib": before_rss,
        "peak_rss_kib": peak_rss,
        "traced_peak_bytes": traced_peak,
        "statements": statements,
        "vendor": connection.vendor,
    }


def run_child(size: int, export_format: str, args: argparse.Namespace) -> dict[str, Any]:
    """One measure in a fresh interpreter: its peak RSS is this export's alone."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--size",
        str(size),
        "--format",
        export_format,
        "--columns",
        args.columns,
    ]
    if args.tracemalloc:
        command.append("--tracemalloc")
    done = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        command, capture_output=True, text=True, check=False, env=dict(os.environ)
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"The {export_format} export of {size:,} contacts failed.")
    return json.loads(done.stdout.strip().splitlines()[-1])


def mebibytes(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def table(results: list[dict[str, Any]]) -> str:
    header = (
        "| rows | format | seconds | rows/s | file | peak RSS | RSS growth | Python peak | SQL |"
    )
    lines = [header, "|" + " --- |" * 9]
    for result in results:
        traced = result["traced_peak_bytes"]
        lines.append(
            "| {rows:,} | {format} | {seconds:,.1f} | {rate:,.0f} | {size} | {peak} | {growth} "
            "| {traced} | {statements:,} |".format(
                rows=result["rows"],
                format=result["format"],
                seconds=result["seconds"],
                rate=result["rows_per_second"],
                size=f"{result['bytes'] / 1024 / 1024:,.1f} MiB",
                peak=mebibytes(result["peak_rss_kib"]),
                growth=mebibytes(result["peak_rss_kib"] - result["rss_before_kib"]),
                traced=f"{traced / 1024 / 1024:,.1f} MiB" if traced is not None else "-",
                statements=result["statements"],
            )
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    args = parse_args(argv)
    sizes = args.size or list(DEFAULT_SIZES)
    formats = args.format or list(FORMATS)
    setup_django()
    if args.child:
        result = measure(sizes[0], formats[0], args.columns, args.tracemalloc)
        print(json.dumps(result))
        return [result]
    from django.db import connection

    if not args.no_generate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("populate", verbosity=0)
        ensure_contacts(max(sizes))
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    results = []
    for size in sizes:
        for export_format in formats:
            print(f"Exporting {size:,} contacts as {export_format}…", flush=True)
            results.append(run_child(size, export_format, args))
    note = (
        "Peak RSS is the child process's (Django loaded); RSS growth is what the export "
        "added to it: flat memory means it does not grow with the rows."
    )
    print()
    print(table(results))
    print("\n" + note)
    if not args.no_write:
        sizes_text = " ".join(f"--size {size}" for size in sizes)
        section = [
            f"## Export on {connection.vendor}",
            "",
            f"- Machine: {machine_facts()}",
            f"- Command: `.venv/bin/python bench/export_benchmark.py {sizes_text}`"
            + (" with `DATABASE_URL` set" if connection.vendor != "sqlite" else ""),
            f"- Contacts from `generate.py`, every field, properties and relation columns "
            f"(`--columns {args.columns}`), each export in a fresh process.",
            "",
            table(results),
            "",
            note,
            "",
        ]
        write_results(f"export-{connection.vendor}", "\n".join(section))
        print("Written to bench/RESULTS.md")
    return results


if __name__ == "__main__":
    main()
