"""The list pages' "Export" menu: links that carry the list's own search, filters and order."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core.registry import EntityTypeInfo
from tandem.io.export import supports_vcard

register = template.Library()

#: Parameters of the list that an export does not need (it takes every page).
_DROPPED = ("after", "before", "size", "format", "delimiter", "bom", "columns")


@register.inclusion_tag("tandem/partials/export_menu.html", takes_context=True)
def export_menu(context: dict[str, Any], info: EntityTypeInfo) -> dict[str, Any]:
    """The menu's entries, each an export of the list as the user sees it."""
    request = context["request"]
    kept = {key: value for key, value in request.GET.items() if key not in _DROPPED and value}
    base = reverse("entity_export", args=[info.slug])

    def url(**extra: str) -> str:
        return f"{base}?{urlencode({**kept, **extra})}"

    entries = [
        {"label": _("CSV"), "icon": "file-text", "url": url(format="csv")},
        {
            "label": _("CSV for Excel (semicolons)"),
            "icon": "file-text",
            "url": url(format="csv", delimiter=";", bom="1"),
        },
        {
            "label": _("Excel workbook (XLSX)"),
            "icon": "file-spreadsheet",
            "url": url(format="xlsx"),
        },
        # Every field, the properties and the relations: what imports again as it was.
        {
            "label": _("Every field, to import again (CSV)"),
            "icon": "file-text",
            "url": url(format="csv", columns="all"),
            "separator": True,
        },
        {
            "label": _("Every field, to import again (XLSX)"),
            "icon": "file-spreadsheet",
            "url": url(format="xlsx", columns="all"),
        },
    ]
    if supports_vcard(info):
        entries.append(
            {
                "label": _("vCard (address books)"),
                "icon": "contact",
                "url": url(format="vcf"),
                "separator": True,
            }
        )
    return {"entries": entries}
