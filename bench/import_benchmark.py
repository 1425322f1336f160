"""Measure imports: N contacts from a CSV file with a "Company" relation column.

Why: moving to Tandem means importing a whole address book or CRM export at once, and each
row goes through the services (validation, duplicates, history, the relation pair), not a
bulk insert. This script writes a realistic CSV (names with accents, e-mail, phone, city,
and a company among N/20, so most rows link to an organisation that an earlier row
created), imports it with the mapping the wizard would guess, then imports it a second time
(every row is then a duplicate, found and left unchanged). It prints rows per second and
p50/p95 of the time per chunk of rows (one transaction each), and files them in
``bench/RESULTS.md``.

The import runs into the configured database, which it migrates and populates; use a bench
database (a fresh ``TANDEM_HOME``), since it adds N contacts each time it runs.

Usage (from the repository root)::

    TANDEM_HOME=/tmp/tandem-import-bench .venv/bin/python bench/import_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench \\
        .venv/bin/python bench/import_benchmark.py --size 100000
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time
import unicodedata
from collections.abc import Sequence
from typing import Any

from benchmark import machine_facts, milliseconds, write_results
from generate import FIRST_NAMES, LAST_NAMES, setup_django

CITIES = ("Lyon", "Paris", "Marseille", "Lille", "Nantes", "Bordeaux", "Genève", "Québec")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="contacts (default 100000)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    return parser.parse_args(argv)


def ascii_address(text: str) -> str:
    """An e-mail address from accented names: "Björn" gives "bjorn"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace(" ", ""))
    return decomposed.encode("ascii", "ignore").decode()


def contacts_csv(size: int, seed: int) -> bytes:
    """The file a user would bring: one row per contact, companies repeated."""
    rng = random.Random(seed)
    companies = [f"Société {number:05d} {rng.choice(LAST_NAMES)}" for number in range(size // 20)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Prénom", "Nom", "E-mail", "Téléphone", "Ville", "Société"])
    for number in range(size):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        writer.writerow(
            [
                first,
                last,
                ascii_address(f"{first}.{last}.{number}@example.com"),
                "+33 6 " + " ".join(f"{number // 100**power % 100:02d}" for power in (2, 1, 0)),
                rng.choice(CITIES),
                rng.choice(companies),
            ]
        )
    return out.getvalue().encode("utf-8")


def run(data: bytes, label: str) -> dict[str, Any]:
    """Read and import ``data``; the time of each chunk comes from the progress callback."""
    from tandem.core.models import User
    from tandem.io.guess import guess_mapping
    from tandem.io.importer import run_import
    from tandem.io.mapping import ImportSettings
    from tandem.io.tabular import read_csv

    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    started = time.perf_counter()
    table = read_csv(data)
    read_seconds = time.perf_counter() - started
    mapping = guess_mapping(table.columns, "contacts")
    chunks: list[float] = []
    last = [time.perf_counter()]

    def progress(_done: int) -> None:
        now = time.perf_counter()
        chunks.append(now - last[0])
        last[0] = now

    report = run_import(
        table, ImportSettings(entity_type="contacts", columns=mapping), user=user, progress=progress
    )
    seconds = time.perf_counter() - started
    chunks.sort()
    rows = len(table.rows)
    return {
        "label": label,
        "rows": rows,
        "seconds": seconds,
        "read_seconds": read_seconds,
        "rows_per_second": rows / seconds,
        "chunk_p50": statistics.median(chunks),
        "chunk_p95": chunks[int(0.95 * (len(chunks) - 1))],
        "counts": report.counts,
        "related_created": report.related_created,
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| run | rows | total | reading the file | rows/s | ms per 200 rows, p50 | p95 | outcome |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        counts = ", ".join(f"{name} {count:,}" for name, count in result["counts"].items() if count)
        if result["related_created"]:
            counts += f"; organisations created {result['related_created']:,}"
        lines.append(
            f"| {result['label']} | {result['rows']:,} | {result['seconds']:,.1f} s | "
            f"{result['read_seconds']:,.1f} s | {result['rows_per_second']:,.0f} | "
            f"{milliseconds(result['chunk_p50'])} | {milliseconds(result['chunk_p95'])} | "
            f"{counts} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    args = parse_args(argv)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    call_command("setup", verbosity=0)
    data = contacts_csv(args.size, args.seed)
    vendor = f"{connection.vendor} {connection.Database.__name__}"
    print(f"Database: {vendor} {connection.settings_dict['NAME']}", flush=True)
    results = []
    for label in ("first import", "same file again"):
        print(f"Importing {args.size:,} contacts ({label})…", flush=True)
        results.append(run(data, label))
    text = table(results)
    print()
    print(text)
    if not args.no_write:
        section = "\n".join(
            [
                f"## Import on {connection.vendor}",
                "",
                f"- Machine: {machine_facts()}",
                f"- Command: `.venv/bin/python bench/import_benchmark.py --size {args.size}`"
                + (" with `DATABASE_URL` set" if connection.vendor != "sqlite" else ""),
                "- File: a `;`-separated UTF-8 CSV, columns Prénom, Nom, E-mail, Téléphone, "
                f"Ville, Société ({args.size // 20:,} companies); mapping guessed; every row "
                "through the services (validation, duplicates by e-mail, history, the "
                "employment relation pair).",
                "",
                text,
                "",
            ]
        )
        write_results(f"import-{connection.vendor}", section)
        print("\nWritten to bench/RESULTS.md")
    return results


if __name__ == "__main__":
    main()
