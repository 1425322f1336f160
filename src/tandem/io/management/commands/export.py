import os
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tandem.core.exceptions import PermissionDenied
from tandem.core.filters import FilterBroken, apply_filter
from tandem.core.permissions import check_permission
from tandem.core.registry import entity_types
from tandem.core.search import search_words_q
from tandem.core.selectors import NOT_TRASHED, visible_filters
from tandem.io.export import DELIMITERS, FORMATS, ExportRefused, export_entities, list_columns


class Command(BaseCommand):
    help = (
        "Export the contacts or the organisations as CSV, XLSX or vCard, to a file or to the "
        "standard output. Every field, properties and relations by default (an export can be "
        "imported again); --columns list for the list page's columns. Headers are in "
        "TANDEM_LANGUAGE. --filter ID exports what a saved filter accepts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--type",
            required=True,
            dest="entity_type",
            choices=[info.slug for info in entity_types],
            help="What to export.",
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="csv, xlsx or vcf (from the --output file's extension, else csv).",
        )
        parser.add_argument("--search", default="", help="Only what matches, as the list's filter.")
        parser.add_argument(
            "--filter",
            type=int,
            dest="saved_filter",
            help="Only what the saved filter with this id accepts (see the list's filter menu).",
        )
        parser.add_argument(
            "--columns",
            choices=("all", "list"),
            default="all",
            help="all: every field, properties, relations; list: the list page's columns.",
        )
        parser.add_argument(
            "--delimiter",
            choices=DELIMITERS,
            default=",",
            metavar="{',' | ';'}",
            help="CSV delimiter (; for Excel FR).",
        )
        parser.add_argument("--bom", action="store_true", help="Start a CSV with a UTF-8 BOM.")
        parser.add_argument(
            "--include-trashed", action="store_true", help="Export the trashed ones too."
        )
        parser.add_argument("--output", help="The file to write (the standard output otherwise).")
        parser.add_argument("--user", help="Export as this user (its permissions apply).")

    def handle(self, *args, **options) -> None:
        info = entity_types.for_slug(options["entity_type"])
        output = Path(options["output"]) if options["output"] else None
        export_format = options["format"]
        if export_format is None:
            suffix = output.suffix.lower().lstrip(".") if output else ""
            export_format = {"vcard": "vcf"}.get(suffix, suffix)
            if export_format not in FORMATS:
                export_format = "csv"
        if export_format == "xlsx" and output is None and self._binary_stdout() is None:
            raise CommandError(_("An XLSX export needs --output FILE."))
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user is called “%(user)s”.") % {"user": options["user"]})
            try:
                check_permission(user, "export")
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
        queryset = info.model._default_manager.filter(entity_type_id=info.content_type.pk)
        if not options["include_trashed"]:
            queryset = queryset.filter(NOT_TRASHED)
        queryset = queryset.filter(search_words_q(options["search"]))
        if options["saved_filter"] is not None:
            queryset = self._filtered(queryset, info, options["saved_filter"], user)
        try:
            stream = export_entities(
                info,
                queryset,
                export_format,
                columns=list_columns(info) if options["columns"] == "list" else None,
                delimiter=options["delimiter"],
                bom=options["bom"],
            )
        except ExportRefused as error:
            raise CommandError(str(error)) from None
        if output is None:
            self._to_stdout(stream)
        else:
            self._to_file(stream, output)
            self.stderr.write(
                _("%(count)s %(type)s exported to %(file)s.")
                % {"count": stream.rows, "type": info.verbose_name_plural, "file": output}
            )

    def _filtered(self, queryset, info, filter_id: int, user):
        """The saved filter's rows; the error names the filter when it cannot run."""
        entity_filter = visible_filters(user).filter(pk=filter_id).first()
        if entity_filter is None or entity_filter.entity_type_id != info.content_type.pk:
            raise CommandError(
                _("No filter of %(type)s has the id %(id)s.")
                % {"type": info.verbose_name_plural, "id": filter_id}
            )
        try:
            return apply_filter(queryset, entity_filter, user)
        except FilterBroken as error:
            raise CommandError(str(error)) from None

    def _binary_stdout(self):
        return getattr(self.stdout._out, "buffer", None)

    def _to_stdout(self, stream) -> None:
        binary = self._binary_stdout()
        try:
            for block in stream:
                if binary is not None:
                    binary.write(block)
                else:  # a text stream (call_command's stdout=StringIO()): CSV, vCard are text
                    self.stdout.write(block.decode("utf-8"), ending="")
            if binary is not None:
                binary.flush()
        except BrokenPipeError:
            # `tandem export … | head`: the reader has what it wanted.
            stream.close()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())

    def _to_file(self, stream, output: Path) -> None:
        """Write next to the target then rename: a failed export leaves no half file."""
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("wb") as handle:
                for block in stream:
                    handle.write(block)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error}
            ) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            stream.close()
            raise
