"""Fill Tandem's database with many organisations, contacts and relation pairs.

Why: the engine's promise is that relation blocks, pickers and search stay fast on large
data; this script makes that data quickly enough to measure it, on SQLite or PostgreSQL.

Entities are written below the services (one ``Entity.objects.bulk_create`` then one raw
insert of the child rows per batch) because the services save one row at a time, which would
take hours. The rows are still complete Tandem entities: label and search text are computed by
the models' own methods. Relations go through ``tandem.core.services.bulk_link`` only, so the
pair invariant and the history are the engine's own.

Usage (from the repository root)::

    TANDEM_HOME=/tmp/tandem-bench .venv/bin/python bench/generate.py \\
        --organisations 500000 --contacts 500000 --relations 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python \\
        bench/generate.py --organisations 500000 --contacts 500000 --relations 1000000
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT_DIR = BENCH_DIR.parent
SP500_CSV = Path("/work/shared/data/sp500/constituents.csv")


def words(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text``: keeps the long name lists readable."""
    return tuple(text.split())


FIRST_NAMES = words(
    "Alice Amélie Anna Antoine Arthur Baptiste Camille Charlotte Chloé Claire Clément David "
    "Élise Emma Étienne Fanny Florian François Gabriel Hélène Hugo Inès Isabelle Jacques Jade "
    "Jean Jeanne Julie Julien Karim Laura Léa Léo Louis Louise Lucas Lucie Manon Marc Margaux "
    "Marie Martin Mathilde Maxime Mehdi Nathalie Nicolas Noémie Olivier Paul Pauline Pierre "
    "Quentin Raphaël Romain Sarah Sophie Stéphane Thomas Valérie Victor Yasmine Zoé Aaron "
    "Bethany Connor Diana Edward Fiona George Hannah Ian Jessica Kevin Laura Michael Nora "
    "Oscar Priya Rachel Samuel Tanya Umar Vivian William Xavier Yusuf Zara Łukasz Søren Björn"
)
LAST_NAMES = words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefebvre "
    "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
    "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez "
    "Fontaine Chevalier Robin Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson "
    "Taylor Moore Jackson White Harris Clark Lewis Walker Hall Young King Wright Scott Green "
    "Baker Adams Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards "
    "Collins Stewart Nguyen Kowalski Nowak Müller Schmidt Schneider Fischer Weber Rossi Russo "
    "Ferrari Esposito Bianchi Romano Colombo Ricci García Fernández González Rodríguez Sánchez"
)
COMPANY_WORDS = words(
    "Acme Alpine Apex Atlas Aurora Azure Beacon Blue Bright Cedar Cobalt Coral Crest Crown "
    "Delta Eagle Echo Ember Emerald Falcon Fjord Forge Garnet Golden Granite Harbor Helix "
    "Horizon Iris Ivory Jade Juniper Keystone Lark Linden Lumen Maple Meridian Mistral Nexus "
    "Nimbus Noble North Oak Onyx Orbit Pacific Pine Pioneer Polar Prism Quartz Raven Red "
    "River Sable Sage Sierra Silver Solar Spruce Star Sterling Summit Terra Tidal Titan "
    "Trident Union Vale Vector Verde Vertex Willow Zenith Zephyr Bretagne Loire Provence "
    "Rhône Alsace Garonne Sologne Vercors Cévennes Camargue Ardèche Morvan Jura"
)
COMPANY_ACTIVITIES = words(
    "Logistics Consulting Software Systems Foods Energy Pharma Bank Insurance Construction "
    "Engineering Media Retail Textiles Chemicals Robotics Analytics Design Studio Partners "
    "Holdings Industries Transport Hotels Telecom Security Labs Farms Motors Dynamics"
)
COMPANY_SUFFIXES = ("SA", "SAS", "SARL", "Ltd", "Inc.", "GmbH", "LLC", "SpA", "BV", "")
DEPARTMENTS = ("Sales", "Purchasing", "IT", "Finance", "Marketing", "Legal", "R&D", "HR", "")
MAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.test", "corp.test")


@dataclass
class GenerationStats:
    """What one run wrote and how fast; the benchmark reads it back for RESULTS.md."""

    vendor: str = ""
    database: str = ""
    seed: int = 0
    organisations_written: int = 0
    contacts_written: int = 0
    entity_seconds: float = 0.0
    relation_pairs_written: int = 0
    relation_seconds: float = 0.0
    relation_pairs_by_type: dict[str, int] = field(default_factory=dict)
    busy_organisation: str = ""
    busy_relations: int = 0
    command: str = ""
    finished: str = ""

    @property
    def entities_per_second(self) -> float:
        written = self.organisations_written + self.contacts_written
        return written / self.entity_seconds if self.entity_seconds else 0.0

    @property
    def pairs_per_second(self) -> float:
        if not self.relation_seconds:
            return 0.0
        return self.relation_pairs_written / self.relation_seconds


def setup_django() -> None:
    """Point Django at Tandem's settings (DATABASE_URL or SQLite under TANDEM_HOME)."""
    src = str(ROOT_DIR / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    # DEBUG keeps every query in memory and slows every statement: never while measuring.
    os.environ["TANDEM_DEBUG"] = "0"
    import django

    django.setup()


def database_key() -> str:
    """A file-name-safe identifier of the configured database, to file the run's stats."""
    from django.db import connection

    name = Path(str(connection.settings_dict["NAME"])).stem
    return f"{connection.vendor}-{name}"


def stats_path() -> Path:
    return BENCH_DIR / ".stats" / f"{database_key()}.json"


def load_stats() -> GenerationStats | None:
    """The stats the last generation run left for this database, if any."""
    path = stats_path()
    if not path.exists():
        return None
    return GenerationStats(**json.loads(path.read_text()))


def save_stats(stats: GenerationStats) -> None:
    path = stats_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(stats), indent=2) + "\n")


def prepare_database(*, reset: bool) -> None:
    """Migrate, optionally flush everything, then create Tandem's default data."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if reset:
        print("Flushing the database (every table, users included)…", flush=True)
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()
    call_command("populate", verbosity=0)


def company_names(rng: random.Random) -> Iterator[str]:
    """Endless realistic organisation names: S&P 500 names first, then invented ones."""
    if SP500_CSV.exists():
        with SP500_CSV.open(newline="", encoding="utf-8") as handle:
            real = [row["Security"] for row in csv.DictReader(handle)]
        rng.shuffle(real)
        yield from real
    while True:
        words = [rng.choice(COMPANY_WORDS)]
        if rng.random() < 0.4:
            words.append(rng.choice(COMPANY_WORDS))
        words.append(rng.choice(COMPANY_ACTIVITIES))
        suffix = rng.choice(COMPANY_SUFFIXES)
        if suffix:
            words.append(suffix)
        yield " ".join(words)


def slug(text: str) -> str:
    from tandem.core.search import fold

    return "".join(char for char in fold(text) if char.isalnum())


def random_created(rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    """A creation date spread over the last five years, like a CRM that has lived."""
    return now - datetime.timedelta(seconds=rng.randrange(5 * 365 * 24 * 3600))


def make_organisation(rng: random.Random, names: Iterator[str]) -> Any:
    from tandem.persons.models import Organisation

    name = next(names)
    organisation = Organisation(name=name)
    if rng.random() < 0.7:
        domain = f"{slug(name)[:30] or 'company'}.{rng.choice(('com', 'fr', 'de', 'test'))}"
        organisation.website = f"https://www.{domain}"
        organisation.email = f"contact@{domain}"
    if rng.random() < 0.5:
        organisation.employees = int(rng.paretovariate(1.2) * 3)
    return organisation


def make_contact(rng: random.Random) -> Any:
    from tandem.persons.models import Contact

    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    contact = Contact(first_name=first, last_name=last, department=rng.choice(DEPARTMENTS))
    if rng.random() < 0.8:
        contact.email = (
            f"{slug(first)}.{slug(last)}{rng.randrange(1000)}@{rng.choice(MAIL_DOMAINS)}"
        )
    if rng.random() < 0.3:
        contact.birth_day, contact.birth_month = rng.randint(1, 28), rng.randint(1, 12)
    return contact


def insert_entities(children: Sequence[Any], now: datetime.datetime, rng: random.Random) -> None:
    """Write one batch of new child instances (all of one model) as Entity + child rows.

    The Entity rows go through ``bulk_create`` (which returns their ids on SQLite and
    PostgreSQL); the child rows through one ``executemany`` of the child table's own columns,
    whose values come from the unsaved instances so every default is the model's.
    """
    from django.db import connection, transaction

    from tandem.core.models import Entity

    model = type(children[0])
    parents = []
    for child in children:
        child.refresh_denormalised_fields()
        created = random_created(rng, now)
        parents.append(
            Entity(
                uuid=child.uuid,
                entity_type_id=child.entity_type_id,
                label=child.label,
                sort_label=child.sort_label,
                search_text=child.search_text,
                created=created,
                modified=created,
                description="",
                is_deleted=False,
                version=1,
            )
        )
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted model metadata
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with transaction.atomic():
        Entity.objects.bulk_create(parents)
        for child, parent in zip(children, parents, strict=True):
            child.entity_ptr_id = child.id = parent.pk
        rows = [
            [f.get_db_prep_save(getattr(child, f.attname), connection) for f in fields]
            for child in children
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def generate_entities(
    stats: GenerationStats, organisations: int, contacts: int, rng: random.Random, batch: int
) -> None:
    """Write the organisations then the contacts, batch by batch, timing the whole."""
    from django.utils import timezone

    now = timezone.now()
    names = company_names(rng)
    started = time.perf_counter()
    for label, total, make in (
        ("organisations", organisations, lambda: make_organisation(rng, names)),
        ("contacts", contacts, lambda: make_contact(rng)),
    ):
        written = 0
        while written < total:
            size = min(batch, total - written)
            insert_entities([make() for _ in range(size)], now, rng)
            written += size
            setattr(stats, f"{label}_written", written)
            if written == total or written % (batch * 20) == 0:
                report_progress(label, written, total, started)
    stats.entity_seconds = time.perf_counter() - started


def report_progress(label: str, written: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    print(f"  {label}: {written:,}/{total:,} ({elapsed:,.0f} s)", flush=True)


#: The relation types used, with their share of the pairs and who may be subject/object.
RELATION_MIX = (
    # (type id, share, subject pool, object pool)
    ("persons-subject_employed_by", 0.40, "contact", "organisation"),
    ("persons-subject_customer_supplier", 0.15, "organisation", "organisation"),
    ("persons-subject_customer_supplier", 0.10, "contact", "organisation"),
    ("persons-subject_prospect", 0.10, "organisation", "organisation"),
    ("persons-subject_prospect", 0.10, "contact", "organisation"),
    ("persons-subject_competitor", 0.15, "organisation", "organisation"),
)


def skewed_index(rng: random.Random, size: int) -> int:
    """An index in ``range(size)`` where low indices are much more likely (density ~ 1/√x):
    a few big organisations gather thousands of relations, most have a handful."""
    return min(int(size * rng.random() ** 2), size - 1)


def relation_pairs(
    rng: random.Random,
    count: int,
    subjects: Sequence[int],
    objects: Sequence[int],
    seen: set[tuple[int, int]],
    skewed: bool,
) -> Iterator[tuple[int, int]]:
    """``count`` new (subject, object) pairs: no self-link, none already in ``seen``."""
    produced = attempts = 0
    while produced < count:
        attempts += 1
        if attempts > count * 20 + 1000:
            raise SystemExit(f"Cannot find {count:,} distinct pairs: too few entities.")
        subject = subjects[rng.randrange(len(subjects))]
        index = skewed_index(rng, len(objects)) if skewed else rng.randrange(len(objects))
        obj = objects[index]
        if subject == obj or (subject, obj) in seen:
            continue
        seen.add((subject, obj))
        produced += 1
        yield subject, obj


def entity_pools(rng: random.Random) -> dict[str, list[int]]:
    """The ids of the live organisations (shuffled once, so that "big" organisations, the low
    skewed indices, are spread over the ids) and contacts, as ``generate_relations`` draws
    them: the same seed gives the same pools."""
    from tandem.persons.models import Contact, Organisation

    pools = {
        "organisation": list(
            Organisation.objects.filter(is_deleted=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "contact": list(
            Contact.objects.filter(is_deleted=False).order_by("pk").values_list("pk", flat=True)
        ),
    }
    rng.shuffle(pools["organisation"])
    return pools


def generate_relations(
    stats: GenerationStats, total: int, rng: random.Random, pools: dict[str, list[int]]
) -> None:
    """Spread ``total`` new pairs over ``RELATION_MIX`` through ``bulk_link``."""
    from tandem.core.models import Relation
    from tandem.core.services import bulk_link

    started = time.perf_counter()
    done = 0
    for type_id, share, subject_pool, object_pool in RELATION_MIX:
        count = round(total * share)
        subjects, objects = pools[subject_pool], pools[object_pool]
        if not count or not subjects or not objects:
            continue
        seen = set(Relation.objects.filter(type_id=type_id).values_list("subject_id", "object_id"))
        # Employees are spread evenly over contacts and unevenly over employers.
        pairs = relation_pairs(rng, count, subjects, objects, seen, skewed=True)
        written = 0
        while written < count:
            chunk = list(_take(pairs, 20_000))
            written += bulk_link(user=None, relation_type=type_id, pairs=chunk)
            report_progress(f"{type_id} ({subject_pool}→{object_pool})", written, count, started)
        done += written
        stats.relation_pairs_by_type[type_id] = (
            stats.relation_pairs_by_type.get(type_id, 0) + written
        )
        stats.relation_pairs_written = done
    stats.relation_seconds = time.perf_counter() - started


def top_up_busiest(
    stats: GenerationStats, target: int, rng: random.Random, pools: dict[str, list[int]]
) -> None:
    """Give the skew's biggest organisation (the first of the shuffled pool) exactly
    ``target`` relations, adding pairs of the ``RELATION_MIX`` types (in its shares) where it
    is the object, with random subjects: the worst case of a detail page, whatever the size.

    The skew alone gives the biggest organisation about pairs/√organisations relations
    (2,500 for 2.5M pairs and 1M organisations). Nothing is added if it already has more.
    """
    from tandem.core.models import Entity, Relation
    from tandem.core.services import bulk_link

    if not pools["organisation"]:
        return
    busy = pools["organisation"][0]
    have = Relation.objects.filter(subject_id=busy).count()
    missing = max(0, target - have)
    started = time.perf_counter()
    added = 0
    shares = [share for _, share, subject_pool, _ in RELATION_MIX if pools[subject_pool]]
    mix = [entry for entry in RELATION_MIX if pools[entry[2]]]
    wanted = [round(missing * share / sum(shares)) for share in shares]
    wanted[0] += missing - sum(wanted)
    for (type_id, _, subject_pool, _), count in zip(mix, wanted, strict=True):
        if count <= 0:
            continue
        seen = set(
            Relation.objects.filter(type_id=type_id, object_id=busy).values_list(
                "subject_id", "object_id"
            )
        )
        subjects = pools[subject_pool]
        pairs = relation_pairs(rng, count, subjects, [busy], seen, skewed=False)
        written = bulk_link(user=None, relation_type=type_id, pairs=list(pairs))
        added += written
        stats.relation_pairs_by_type[type_id] = (
            stats.relation_pairs_by_type.get(type_id, 0) + written
        )
    stats.relation_pairs_written += added
    stats.relation_seconds += time.perf_counter() - started
    stats.busy_organisation = str(Entity.objects.get(pk=busy).uuid)
    stats.busy_relations = Relation.objects.filter(subject_id=busy).count()
    print(
        f"  busiest organisation {stats.busy_organisation}: {have:,} relations, "
        f"{added:,} pairs added, now {stats.busy_relations:,}",
        flush=True,
    )


def analyse(connection: Any) -> None:
    """Refresh the planner's statistics, as Tandem's databases would soon after a load.

    PostgreSQL's autovacuum would run ANALYZE some time after it: without it, queries right
    after the load are planned for the old, tiny tables (a sequential scan of a million
    entities for one entity's relations). On SQLite Tandem runs ANALYZE itself after
    ``migrate`` and after an import (``tandem.core.statistics``); the generator writes below
    the importer, so it does the same.
    """
    from tandem.core.statistics import refresh_planner_statistics

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        refresh_planner_statistics()


def _take(iterator: Iterator[tuple[int, int]], size: int) -> Iterator[tuple[int, int]]:
    for _ in range(size):
        try:
            yield next(iterator)
        except StopIteration:
            return


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--relations", type=int, default=5000, help="relation pairs to write")
    parser.add_argument("--batch", type=int, default=5000, help="entities per transaction")
    parser.add_argument(
        "--busy-relations",
        type=int,
        default=0,
        metavar="N",
        help="then give the most skewed organisation exactly N relations (0: leave the skew)",
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="flush the whole database first (users too): only for a bench database",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> GenerationStats:
    """Generate the data and print the throughput; return the stats for callers."""
    args = parse_args(argv)
    setup_django()
    from django.db import connection
    from django.utils import timezone

    prepare_database(reset=args.reset)
    rng = random.Random(args.seed)
    previous = None if args.reset else load_stats()
    stats = GenerationStats(
        vendor=connection.vendor, database=str(connection.settings_dict["NAME"]), seed=args.seed
    )
    stats.command = " ".join(["bench/generate.py", *(sys.argv[1:] if argv is None else argv)])
    print(f"Database: {connection.vendor} {stats.database}", flush=True)
    generate_entities(stats, args.organisations, args.contacts, rng, args.batch)
    if args.relations or args.busy_relations:
        pools = entity_pools(rng)
        if args.relations:
            generate_relations(stats, args.relations, rng, pools)
        if args.busy_relations:
            top_up_busiest(stats, args.busy_relations, rng, pools)
    analyse(connection)
    stats.finished = timezone.now().isoformat(timespec="seconds")
    if previous is not None and not stats.organisations_written + stats.contacts_written:
        # A relations-only run keeps the entity throughput of the run that made them.
        stats.organisations_written = previous.organisations_written
        stats.contacts_written = previous.contacts_written
        stats.entity_seconds = previous.entity_seconds
    save_stats(stats)
    entities = stats.organisations_written + stats.contacts_written
    print(
        f"Entities: {entities:,} in {stats.entity_seconds:,.1f} s "
        f"= {stats.entities_per_second:,.0f} entities/s"
    )
    print(
        f"Relation pairs: {stats.relation_pairs_written:,} in {stats.relation_seconds:,.1f} s "
        f"= {stats.pairs_per_second:,.0f} pairs/s"
    )
    return stats


if __name__ == "__main__":
    main()
