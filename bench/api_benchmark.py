#!/usr/bin/env python
"""Throughput and latency of the HTTP API on a generated database, through a real server.

Starts ``tandem serve`` (gunicorn, ``--workers``) on the database ``generate.py`` filled, then
sends ``--requests`` calls per operation from ``--clients`` concurrent client threads, each
call on its own connection as a simple client would: list (first page, and a page deep in the
list through its cursor), get by uuid, create a contact, link a contact to an organisation.
Prints requests per second and p50/p95 per operation and files them in ``bench/RESULTS.md``
(one section per database vendor, replaced on each run).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark import RESULTS_FILE, machine_facts, milliseconds
from generate import setup_django


@dataclass
class Load:
    name: str
    latencies: list[float]
    seconds: float
    statuses: dict[int, int]
    note: str = ""

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    """Start ``tandem serve`` and return once it says it is serving (it says so when the
    port is bound); its access log is then drained in the background."""
    env = {**os.environ, "TANDEM_API_RATE": "0", "TANDEM_LANGUAGE": "en"}
    tandem = Path(sys.executable).with_name("tandem")
    server = subprocess.Popen(  # noqa: S603 (our own command)
        [str(tandem), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(60, server.kill)  # a server that never says so is stopped
    watchdog.start()
    try:
        for line in server.stdout:
            if "is serving on" in line:
                break
        else:
            raise SystemExit("the server did not start within 60 s")
    finally:
        watchdog.cancel()
    threading.Thread(target=server.stdout.read, daemon=True).start()
    return server


class Client:
    """One HTTP call per connection, with the bench user's token."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        payload = json.dumps(body) if body is not None else None
        connection.request(method, f"/api/v1/{path}", payload, self.headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, json.loads(data) if data else None


def run_load(
    name: str,
    requests: int,
    clients: int,
    make_call: Callable[[int], tuple[str, str, Any]],
    client: Client,
    note: str = "",
    on_result: Callable[[int, Any], None] | None = None,
) -> Load:
    """``requests`` calls from ``clients`` threads; ``make_call(i)`` gives (method, path,
    body) for call ``i``; ``on_result(status, data)`` sees each answer."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            method, path, body = make_call(index)
            started = time.perf_counter()
            status, data = client.call(method, path, body)
            elapsed = time.perf_counter() - started
            if on_result is not None:
                on_result(status, data)
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(name, latencies, time.perf_counter() - started, statuses, note)


def prepare(seed: int) -> dict[str, Any]:
    """The bench user, a token, and random organisations to read and link to."""
    from django.db.models import Max, Min

    from tandem.api.listing import encode_cursor
    from tandem.core.models import Entity, User
    from tandem.core.services.tokens import create_token
    from tandem.persons.models import Organisation

    rng = random.Random(seed)
    user, _created = User.objects.get_or_create(username="api-bench")
    token = create_token(user=user, name="api benchmark")[1]
    bounds = Organisation.objects.aggregate(low=Min("pk"), high=Max("pk"))
    picks = [rng.randint(bounds["low"], bounds["high"]) for _ in range(5000)]
    uuids = [
        str(u) for u in Organisation.objects.filter(pk__in=picks).values_list("uuid", flat=True)
    ]
    count = Organisation.objects.count()
    # The cursor the API would give for the page half-way down the list (sorted by label).
    middle = Organisation.objects.filter(is_deleted=False).order_by("sort_label", "pk")[count // 2]
    return {
        "token": token,
        "organisations": uuids,
        "count": count,
        "entities": Entity.objects.count(),
        "middle_cursor": encode_cursor("label", [middle.sort_label], middle.pk),
    }


def run(args: argparse.Namespace) -> list[Load]:
    facts = prepare(args.seed)
    rng = random.Random(args.seed)
    port = free_port()
    server = start_server(port, args.workers)
    client = Client(port, facts["token"])
    organisations = facts["organisations"]
    try:
        cursor = facts["middle_cursor"]
        run_load(
            "warm-up", 200, args.clients, lambda i: ("GET", "organisations?limit=50", None), client
        )
        loads = [
            run_load(
                "list (first page of 50, by name)",
                args.requests,
                args.clients,
                lambda i: ("GET", "organisations?limit=50", None),
                client,
            ),
            run_load(
                "list (a page of 50 after a cursor)",
                args.requests,
                args.clients,
                lambda i: ("GET", f"organisations?limit=50&cursor={cursor}", None),
                client,
                note="half-way down the list: keyset pages cost the same anywhere",
            ),
            run_load(
                "get by uuid",
                args.requests,
                args.clients,
                lambda i: ("GET", f"organisations/{rng.choice(organisations)}", None),
                client,
            ),
        ]
        created: list[str] = []
        create_lock = threading.Lock()

        def create_call(index: int) -> tuple[str, str, Any]:
            return (
                "POST",
                "contacts",
                {
                    "first_name": f"Bench{index}",
                    "last_name": "Contact",
                    "email": f"bench{index}@example.com",
                    "billing_address": {"city": "Lyon"},
                },
            )

        def remember(status: int, data: Any) -> None:
            if status == 201:
                with create_lock:
                    created.append(data["uuid"])

        loads.append(
            run_load(
                "create a contact",
                args.requests,
                args.clients,
                create_call,
                client,
                on_result=remember,
            )
        )
        loads.append(
            run_load(
                "link (contact is an employee of organisation)",
                min(args.requests, len(created)),
                args.clients,
                lambda i: (
                    "POST",
                    "relations",
                    {
                        "subject": created[i],
                        "type": "persons-subject_employed_by",
                        "object": rng.choice(organisations),
                    },
                ),
                client,
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.facts = facts
    return loads


def table(loads: Sequence[Load]) -> str:
    rows = [
        "| operation | requests | req/s | mean ms | p50 ms | p95 ms | max ms | statuses | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for load in loads:
        latencies = sorted(load.latencies)
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        statuses = ", ".join(f"{status}×{count}" for status, count in sorted(load.statuses.items()))
        rows.append(
            f"| {load.name} | {len(latencies)} | {load.per_second:,.0f} | "
            f"{milliseconds(statistics.fmean(latencies))} | "
            f"{milliseconds(statistics.median(latencies))} | {milliseconds(p95)} | "
            f"{milliseconds(latencies[-1])} | {statuses} | {load.note} |"
        )
    return "\n".join(rows)


def write_section(vendor: str, text: str, path: Path = RESULTS_FILE) -> None:
    start, end = f"<!-- api:{vendor}:start -->", f"<!-- api:{vendor}:end -->"
    current = path.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in current:
        before, _rest = current.split(start, 1)
        _old, after = _rest.split(end, 1)
        current = before + block + after
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--requests", type=int, default=2000, help="calls per operation")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    loads = run(args)
    vendor = connection.vendor
    facts = args.facts
    text = "\n".join(
        [
            f"## HTTP API on {connection.display_name}",
            "",
            f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            f"- Machine: {machine_facts()}",
            f"- Data: {facts['entities']:,} entities ({facts['count']:,} organisations)",
            f"- Server: `tandem serve --workers {args.workers}` (gunicorn sync workers, "
            f"throttling off); {args.clients} concurrent clients on the same machine, a new "
            "connection per call",
            "",
            table(loads),
        ]
    )
    print(text)
    if not args.no_write:
        write_section(vendor, text)
        print(f"Written to {RESULTS_FILE}")


if __name__ == "__main__":
    main()
