"""Template helpers shared by every page: icons, field values, entity links."""

from __future__ import annotations

import functools

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from tandem.core.models import Entity
from tandem.core.registry import entity_types

register = template.Library()


@functools.cache
def _sprite_url() -> str:
    """The icon sprite's address, looked up in the static files' manifest once per process
    (a detail page draws a few hundred icons)."""
    return static("vendor/lucide/sprite.svg")


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """An icon from the Lucide sprite; decorative unless ``label`` names it for screen readers."""
    sprite = _sprite_url()
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}"><use href="{}#{}"></use></svg>',
            label,
            sprite,
            name,
        )
    return format_html(
        '<svg class="icon" aria-hidden="true"><use href="{}#{}"></use></svg>', sprite, name
    )


@register.filter
def entity_url(entity: Entity) -> str:
    """The detail page of any entity, from its type alone (no child-table query)."""
    info = entity_types.for_content_type_id(entity.entity_type_id)
    return reverse("entity_detail", args=[info.slug, entity.uuid])


@register.filter
def entity_icon(entity: Entity) -> str:
    return entity_types.for_content_type_id(entity.entity_type_id).icon


@register.filter
def entity_type_name(entity: Entity) -> str:
    """The entity's type, as people call it ("organisation"), without a query."""
    return entity_types.for_content_type_id(entity.entity_type_id).verbose_name


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """``mapping[key]`` in a template, or an empty string."""
    return mapping.get(key, "")
