"""The registry of entity types: adding a business type is one model plus one registration.

Generic machinery (lists, detail pages, API routers, imports, exports) asks the registry
which types exist and how to name them, instead of importing domain apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType

if TYPE_CHECKING:
    from tandem.core.models import Entity


@dataclass(frozen=True)
class EntityTypeInfo:
    """How one entity type is named in URLs, the API and imports, and how it is shown.

    ``field_groups`` are ``(title, field names)`` pairs for detail pages and forms;
    ``list_columns`` are the field names a list shows by default after the label.
    ``new_label`` is the create button's text (its own msgid, so translators can agree it).
    """

    model: type[Entity]
    slug: str
    icon: str = "circle"
    #: "New organisation": a whole phrase, as languages agree "new" with the type's gender.
    new_label: str = ""
    field_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    list_columns: tuple[str, ...] = ()

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)


class EntityTypeRegistry:
    """Entity types by model and by slug."""

    def __init__(self) -> None:
        self._by_model: dict[type[Entity], EntityTypeInfo] = {}
        self._by_slug: dict[str, EntityTypeInfo] = {}

    def register(self, model: type[Entity], *, slug: str, **presentation: Any) -> type[Entity]:
        """Register ``model`` under ``slug`` (plural, as in URLs: ``"contacts"``), with the
        optional ``icon``, ``field_groups`` and ``list_columns`` of EntityTypeInfo."""
        if slug in self._by_slug and self._by_slug[slug].model is not model:
            raise ValueError(f"Entity type slug {slug!r} is already registered.")
        info = EntityTypeInfo(model=model, slug=slug, **presentation)
        self._by_model[model] = info
        self._by_slug[slug] = info
        return model

    def __iter__(self):
        return iter(self._by_model.values())

    def __contains__(self, model: object) -> bool:
        return model in self._by_model

    def for_model(self, model: type[Entity]) -> EntityTypeInfo:
        return self._by_model[model]

    def for_slug(self, slug: str) -> EntityTypeInfo:
        return self._by_slug[slug]

    def for_content_type_id(self, content_type_id: int) -> EntityTypeInfo:
        return self.for_content_type(ContentType.objects.get_for_id(content_type_id))

    def for_content_type(self, content_type: ContentType) -> EntityTypeInfo:
        return self._by_model[content_type.model_class()]

    def content_types(self) -> list[ContentType]:
        return [info.content_type for info in self]


entity_types = EntityTypeRegistry()
