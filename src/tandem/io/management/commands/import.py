import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tandem.core.registry import entity_types
from tandem.io.importer import ImportReport, run_import
from tandem.io.mapping import DATE_ORDERS, ON_DUPLICATE, ImportSettings, ImportSettingsError
from tandem.io.rows import UnreadableFile


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or vCard file as the wizard does: detects the encoding, the "
        "delimiter and the mapping unless told. Exits 0 when the file was processed (even "
        "with rejected rows), 1 when nothing could be imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to import (.csv, .txt, .xlsx, .vcf).")
        parser.add_argument(
            "--type", required=True, dest="entity_type", help="contacts or organisations."
        )
        parser.add_argument("--mapping", help="A mapping file (JSON) saved from the wizard.")
        parser.add_argument("--encoding", help="The file's encoding (detected otherwise).")
        parser.add_argument("--delimiter", help="CSV delimiter: , ; | or tab (detected).")
        parser.add_argument("--sheet", help="XLSX sheet name (the first one otherwise).")
        parser.add_argument("--date-order", choices=DATE_ORDERS, help="Day-first (dmy)…")
        parser.add_argument("--decimal-comma", action="store_true", help="Numbers as 3,14.")
        parser.add_argument("--key", help="Fields that find duplicates, e.g. email,name.")
        parser.add_argument("--on-duplicate", choices=ON_DUPLICATE)
        parser.add_argument("--dry-run", action="store_true", help="Report, write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument("--user", help="Act as this user (the first administrator).")
        parser.add_argument("--save-mapping", help="Write the mapping used to this file.")

    def handle(self, *args, **options) -> None:
        from tandem.io.guess import guess_mapping
        from tandem.io.tabular import read_table

        entity_type = options["entity_type"]
        try:
            entity_types.for_slug(entity_type)
        except KeyError:
            raise CommandError(
                _("“%(type)s” is not a type of record (%(types)s).")
                % {"type": entity_type, "types": ", ".join(i.slug for i in entity_types)}
            ) from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        read_options = {
            name: options[name]
            for name in ("encoding", "delimiter", "sheet")
            if options.get(name) is not None
        }
        if read_options.get("delimiter") in ("tab", "\\t"):
            read_options["delimiter"] = "\t"
        try:
            table = read_table(path.read_bytes(), path.name, **read_options)
        except UnreadableFile as error:
            raise CommandError(str(error)) from None
        try:
            if options["mapping"]:
                settings = ImportSettings.from_json(
                    self._mapping_file(Path(options["mapping"])), entity_type=entity_type
                )
            else:
                settings = ImportSettings(
                    entity_type=entity_type, columns=guess_mapping(table.columns, entity_type)
                )
            if options["date_order"]:
                settings.date_order = options["date_order"]
            if options["decimal_comma"]:
                settings.decimal_comma = True
            if options["key"]:
                settings.key = [key.strip() for key in options["key"].split(",") if key.strip()]
            if options["on_duplicate"]:
                settings.on_duplicate = options["on_duplicate"]
            settings.check()
        except ImportSettingsError as error:
            raise CommandError(str(error)) from None
        if options["save_mapping"]:
            Path(options["save_mapping"]).write_text(settings.dumps(), encoding="utf-8")
        report = run_import(
            table,
            settings,
            user=self._user(options["user"]),
            filename=path.name,
            dry_run=options["dry_run"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, default=str))
        else:
            self._print(report, table)
        if not report.processed or not (report.imported_anything or report.counts["skipped"]):
            sys.exit(1)

    def _mapping_file(self, path: Path) -> object:
        """The mapping file's JSON; refused with its name and what is wrong with it."""
        if not path.is_file():
            raise CommandError(_("No mapping file at %(path)s.") % {"path": path})
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("The mapping file %(path)s cannot be read: %(error)s")
                % {"path": path, "error": error}
            ) from None
        except json.JSONDecodeError as error:
            raise CommandError(
                _("The mapping file %(path)s is not valid JSON (line %(line)s, column %(column)s).")
                % {"path": path, "line": error.lineno, "column": error.colno}
            ) from None

    def _user(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        user = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError(
                _("No user is called “%(user)s”.") % {"user": username}
                if username
                else _("No administrator yet: run `tandem setup` or give --user.")
            )
        return user

    def _print(self, report: ImportReport, table) -> None:
        details = [table.format.upper()]
        if table.encoding:
            details.append(table.encoding)
        if table.delimiter:
            details.append(_("delimiter %(d)s") % {"d": repr(table.delimiter)})
        self.stdout.write(
            _(
                "%(file)s (%(details)s): %(rows)s rows — %(created)s created, %(updated)s "
                "updated, %(unchanged)s unchanged, %(skipped)s skipped, %(rejected)s rejected"
            )
            % {
                "file": report.filename,
                "details": ", ".join(details),
                "rows": report.processed,
                **report.counts,
            }
            + (_(" (dry run: nothing was written)") if report.dry_run else "")
        )
        if report.related_created:
            self.stdout.write(
                _("%(count)s related records created.") % {"count": report.related_created}
            )
        for warning in report.warnings:
            self.stdout.write(warning)
        for row in report.rows:
            for reason in row.reasons:
                self.stdout.write(
                    _("line %(line)s: %(status)s — %(reason)s")
                    % {"line": row.line, "status": _(row.status), "reason": reason}
                )
            for warning in row.warnings:
                self.stdout.write(
                    _("line %(line)s: %(warning)s") % {"line": row.line, "warning": warning}
                )
