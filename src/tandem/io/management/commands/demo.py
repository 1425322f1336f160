from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tandem.core.search import fold
from tandem.core.services import create_entity, get_or_link
from tandem.io.guess import guess_mapping
from tandem.io.importer import run_import
from tandem.io.mapping import ImportSettings
from tandem.io.tabular import read_table
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation
from tandem.persons.services import managed_organisations

SP500 = Path(__file__).resolve().parents[2] / "demo" / "sp500.csv"

#: Fictitious people (first name, last name, the company they work for).
PEOPLE = (
    ("Camille", "Moreau", "Apple Inc."),
    ("Hugo", "Lefebvre", "Microsoft"),
    ("Chloé", "Garnier", "Nvidia"),
    ("Lucas", "Fontaine", "Alphabet Inc. (Class A)"),
    ("Emma", "Rousseau", "Amazon"),
    ("Nathan", "Chevalier", "3M"),
    ("Léa", "Perrin", "Boeing"),
    ("Jules", "Marchand", "Coca-Cola Company (The)"),
    ("Inès", "Barbier", "PepsiCo"),
    ("Mia", "Schmitt", "Pfizer"),
    ("Oscar", "Renaud", "Johnson & Johnson"),
    ("Zoé", "Giraud", "Walmart"),
)


class Command(BaseCommand):
    help = (
        "Add demo data: the 503 S&P 500 companies (imported like any CSV file), a few "
        "fictitious contacts and the relations of the seed's scenario. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            raise CommandError(_("No administrator yet: run `tandem setup` first."))
        table = read_table(SP500.read_bytes(), SP500.name)
        settings = ImportSettings(
            entity_type="organisations",
            columns=guess_mapping(table.columns, "organisations"),
            key=["name"],
        )
        report = run_import(table, settings, user=admin, filename=SP500.name)
        self.stdout.write(
            _("S&P 500: %(created)s organisations created, %(unchanged)s already there.")
            % report.counts
        )
        ours = managed_organisations()[0]
        by_name = {
            organisation.name: organisation
            for organisation in Organisation.objects.filter(
                name__in=[company for _first, _last, company in PEOPLE] + ["Oracle Corporation"]
            )
        }
        for first, last, company in PEOPLE:
            contact = Contact.objects.filter(first_name=first, last_name=last).first()
            if contact is None:
                contact = create_entity(
                    user=admin,
                    model=Contact,
                    data={
                        "first_name": first,
                        "last_name": last,
                        "email": f"{fold(first)}.{fold(last)}@example.com",
                    },
                )
            if company in by_name:
                get_or_link(
                    user=admin,
                    subject=contact,
                    relation_type=c.REL_SUB_EMPLOYED_BY,
                    object=by_name[company],
                )
        # The seed's market: customers and prospects of ours, a competitor with prospects of
        # its own (what a company-centred CRM cannot record).
        oracle = by_name.get("Oracle Corporation")
        scenario = (
            ("Apple Inc.", c.REL_SUB_CUSTOMER_SUPPLIER, ours),
            ("Microsoft", c.REL_SUB_PROSPECT, ours),
            ("Oracle Corporation", c.REL_SUB_COMPETITOR, ours),
            ("Nvidia", c.REL_SUB_PROSPECT, ours),
            ("Nvidia", c.REL_SUB_PROSPECT, oracle),
            ("Alphabet Inc. (Class A)", c.REL_SUB_CUSTOMER_SUPPLIER, oracle),
        )
        for name, relation_type, other in scenario:
            if name in by_name and other is not None:
                get_or_link(
                    user=admin, subject=by_name[name], relation_type=relation_type, object=other
                )
        self.stdout.write(
            _("Demo contacts and relations are in place; open “%(name)s” to see them.")
            % {"name": ours.label}
        )
