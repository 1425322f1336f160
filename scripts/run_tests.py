#!/usr/bin/env python
"""Run the whole suite: lint, then pytest on SQLite, PostgreSQL and MariaDB.

PostgreSQL and MariaDB are the machine's servers (override with TANDEM_TEST_POSTGRES_URL and
TANDEM_TEST_MYSQL_URL). Under CI=true an unreachable server fails the run; elsewhere that
database's pass is skipped with a visible message. Extra arguments go to pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

DATABASES = {
    "SQLite": None,
    "PostgreSQL": os.environ.get(
        "TANDEM_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
    ),
    "MariaDB": os.environ.get("TANDEM_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}


def reachable(url: str) -> str | None:
    """None when the server answers, else the reason it does not."""
    parts = urlparse(url)
    try:
        if parts.scheme.startswith("postgres"):
            import psycopg

            psycopg.connect(url, connect_timeout=5).close()
        else:
            import MySQLdb

            MySQLdb.connect(
                host=parts.hostname,
                port=parts.port or 3306,
                user=parts.username or "root",
                password=parts.password or "",
                database=parts.path.lstrip("/"),
                connect_timeout=5,
            ).close()
    except Exception as error:
        return str(error).strip()
    return None


def run(title: str, command: list[str], env: dict[str, str] | None = None) -> bool:
    print(f"\n===== {title} =====", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode == 0


def main() -> int:
    results: dict[str, str] = {}
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    results["ruff"] = (
        "ok"
        if (
            run("ruff check", [str(BIN / "ruff"), "check", "."])
            and run("ruff format --check", [str(BIN / "ruff"), "format", "--check", "."])
        )
        else "FAILED"
    )
    for name, url in DATABASES.items():
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        if url is not None:
            problem = reachable(url)
            if problem:
                if IN_CI:
                    print(f"\n{name} at {url} cannot be reached: {problem}", file=sys.stderr)
                    results[name] = "FAILED (unreachable)"
                else:
                    print(f"\n===== {name}: SKIPPED, server not reachable at {url}: {problem}")
                    results[name] = "skipped (not reachable)"
                continue
            env["DATABASE_URL"] = url
        with tempfile.TemporaryDirectory(prefix="tandem-test-") as home:
            env["TANDEM_HOME"] = home
            counts_file = Path(home) / "counts.json"
            env["TANDEM_TEST_COUNTS_FILE"] = str(counts_file)
            ok = run(f"pytest on {name}", [str(BIN / "pytest"), *sys.argv[1:]], env)
            if counts_file.exists():
                for key, value in json.loads(counts_file.read_text()).items():
                    totals[key] += value
            elif not ok:
                totals["failed"] += 1  # pytest could not even report
        results[name] = "ok" if ok else "FAILED"
    print("\n===== summary =====")
    for name, outcome in results.items():
        print(f"{name:12} {outcome}")
    failures = sum(outcome.startswith("FAILED") for outcome in results.values())
    # A failed lint or an unreachable database counts as a failure even with no failed test.
    failed = max(totals["failed"], failures)
    print(f"total: {totals['passed']} passed, {failed} failed, {totals['skipped']} skipped")
    return 0 if all(not outcome.startswith("FAILED") for outcome in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
