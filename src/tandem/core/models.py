"""The engine's data model: entities, relation types and relations, properties, history."""

from __future__ import annotations

import copy
import unicodedata
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.core.search import fold
from tandem.core.values import display_value

LABEL_MAX_LENGTH = 255
SEARCH_TEXT_MAX_LENGTH = 1000


def composed(value: Any) -> Any:
    """Text in Unicode's composed form (NFC): "e" + combining acute is stored as "é", so that
    databases that compare without accents (by collation or by translating letters) find it."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class User(AbstractUser):
    """A person who logs in. Roles and teams come with the permissions issue."""

    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: the browser's language."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Entity(models.Model):
    """The concrete parent of every business record (multi-table inheritance).

    ``label`` and ``search_text`` are denormalised from the child's fields on every save, so
    relation blocks, pickers and search never join the child tables.
    """

    #: Names of the child's fields whose values feed ``search_text``.
    search_fields: tuple[str, ...] = ()

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    entity_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("entity type"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    modified = models.DateTimeField(_("modified"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("modified by"),
    )
    description = models.TextField(_("description"), blank=True)
    is_deleted = models.BooleanField(_("in the trash"), default=False, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    label = models.CharField(_("label"), max_length=LABEL_MAX_LENGTH, editable=False)
    search_text = models.CharField(
        _("search text"), max_length=SEARCH_TEXT_MAX_LENGTH, blank=True, editable=False
    )
    #: ``label`` folded (no case, no accents): lists sort on it, so "Énergie" comes before
    #: "Zèbre" in every language and on every database.
    sort_label = models.CharField(
        _("sort label"), max_length=LABEL_MAX_LENGTH, blank=True, editable=False
    )

    #: Fields the services manage themselves; never part of an edit's diff.
    bookkeeping_fields = frozenset(
        {
            "id",
            "uuid",
            "entity_type",
            "created",
            "modified",
            "created_by",
            "modified_by",
            "is_deleted",
            "version",
            "label",
            "search_text",
            "sort_label",
            "entity_ptr",
        }
    )

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        indexes = [
            models.Index(
                fields=["entity_type", "is_deleted", "sort_label"], name="entity_type_sort_label"
            ),
            # Lists sorted by their last change or by creation walk these, page after page.
            models.Index(
                fields=["entity_type", "is_deleted", "modified"], name="entity_type_modified"
            ),
            models.Index(
                fields=["entity_type", "is_deleted", "created"], name="entity_type_created"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        self.refresh_denormalised_fields()
        super().save(*args, **kwargs)

    @classmethod
    def get_entity_type(cls) -> ContentType:
        """The ContentType that identifies this model as an entity type."""
        return ContentType.objects.get_for_model(cls)

    def compute_label(self) -> str:
        """The display string; children override it."""
        return self.label

    def compute_search_text(self) -> str:
        values = [self.compute_label()]
        for field_name in self.search_fields:
            value = getattr(self, field_name, None)
            if isinstance(value, list | tuple):
                values.extend(str(item) for item in value)
            elif value:
                values.append(str(value))
        return fold(" ".join(values))[:SEARCH_TEXT_MAX_LENGTH]

    def refresh_denormalised_fields(self) -> None:
        """Recompute ``label`` and ``search_text`` from the child's own fields."""
        if self.entity_type_id is None:
            self.entity_type = self.get_entity_type()
        self.label = self.compute_label()[:LABEL_MAX_LENGTH]
        self.sort_label = fold(self.label)[:LABEL_MAX_LENGTH]
        self.search_text = self.compute_search_text()

    def assign(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Set fields from ``data``; return the changes as ``{field, old, new}`` for history.

        Children override it for fields that are more than one column (addresses).
        """
        changes = []
        for name, value in data.items():
            old = display_value(getattr(self, name))
            setattr(self, name, composed(value))
            new = display_value(getattr(self, name))
            if old != new:
                changes.append({"field": name, "old": old, "new": new})
        return changes

    def values_of(self, names: Iterable[str]) -> dict[str, Any]:
        """These fields' values in the shape ``assign`` takes: what a merge copies from the
        entity merged away. Children override it for fields of several columns."""
        values: dict[str, Any] = {}
        for name in names:
            value = getattr(self, name)
            values[name] = value if isinstance(value, models.Model) else copy.deepcopy(value)
        return values

    def absorb(self, other: Entity) -> list[dict[str, Any]]:
        """Take from ``other``, merged into this entity, what the merge form does not offer
        (a linked user account, the "managed by us" mark); return the changes for history."""
        return []

    def check_can_trash(self) -> None:
        """Raise ActionRefused when an invariant forbids trashing this entity."""

    def check_can_delete(self) -> None:
        """Raise ActionRefused when an invariant forbids deleting this entity."""

    def get_real_entity(self) -> Entity:
        """The child instance (Contact, Organisation…) behind a plain ``Entity`` row."""
        # get_for_id is cached: no query per entity, unlike following the foreign key.
        model = ContentType.objects.get_for_id(self.entity_type_id).model_class()
        if type(self) is model:
            return self
        return model._default_manager.get(pk=self.pk)


class PropertyType(models.Model):
    """A tag with meaning ("is a VIP"), optionally limited to some entity types."""

    id = models.CharField(primary_key=True, max_length=100, editable=False)
    text = models.CharField(_("text"), max_length=200)
    subject_types = models.ManyToManyField(
        ContentType, blank=True, related_name="+", verbose_name=_("allowed entity types")
    )
    is_custom = models.BooleanField(_("custom"), default=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("property type")
        verbose_name_plural = _("property types")
        ordering = ["text"]

    def __str__(self) -> str:
        # Built-in texts are stored in English and translated on display.
        return self.text if self.is_custom else gettext(self.text)


class Property(models.Model):
    """One entity carries one property type."""

    type = models.ForeignKey(
        PropertyType,
        on_delete=models.PROTECT,
        related_name="properties",
        verbose_name=_("type"),
    )
    entity = models.ForeignKey(
        Entity,
        on_delete=models.CASCADE,
        related_name="properties",
        db_index=False,
        verbose_name=_("entity"),
    )

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        constraints = [
            models.UniqueConstraint(fields=["entity", "type"], name="property_once_per_entity"),
        ]

    def __str__(self) -> str:
        return str(self.type)


class RelationType(models.Model):
    """One side of a relation type pair: "is a customer of", whose reverse is "is a supplier of".

    The allowed subject types and the required/forbidden properties of a side constrain the
    *subject* of that side; the object's constraints are those of the reverse side.
    """

    id = models.CharField(primary_key=True, max_length=100, editable=False)
    predicate = models.CharField(_("predicate"), max_length=100)
    reverse = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("reverse side"),
    )
    subject_types = models.ManyToManyField(
        ContentType, blank=True, related_name="+", verbose_name=_("subject types")
    )
    subject_properties = models.ManyToManyField(
        PropertyType, blank=True, related_name="+", verbose_name=_("required subject properties")
    )
    subject_forbidden_properties = models.ManyToManyField(
        PropertyType,
        blank=True,
        related_name="+",
        verbose_name=_("forbidden subject properties"),
    )
    is_custom = models.BooleanField(_("custom"), default=True, editable=False)
    is_internal = models.BooleanField(_("internal"), default=False, editable=False)
    is_copiable = models.BooleanField(_("copiable"), default=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("relation type")
        verbose_name_plural = _("relation types")
        ordering = ["predicate"]

    def __str__(self) -> str:
        # Built-in predicates are stored in English and translated on display; custom ones are
        # the user's own words.
        return self.predicate if self.is_custom else gettext(self.predicate)


class Relation(models.Model):
    """One side of a relation pair: (subject, type, object), whose reverse is
    (object, type.reverse, subject). Both sides share note and validity period."""

    subject = models.ForeignKey(
        Entity,
        on_delete=models.CASCADE,
        related_name="relations",
        db_index=False,
        verbose_name=_("subject"),
    )
    type = models.ForeignKey(
        RelationType,
        on_delete=models.PROTECT,
        related_name="relations",
        verbose_name=_("type"),
    )
    object = models.ForeignKey(
        Entity,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("object"),
    )
    # SET_NULL, not CASCADE: when a pair goes, the pointers are cleared before the rows are
    # deleted, which MySQL's immediate foreign-key checks need.
    reverse = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reverse side"),
    )
    note = models.TextField(_("note"), blank=True)
    start_date = models.DateField(_("valid from"), null=True, blank=True)
    end_date = models.DateField(_("valid until"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            # Serves "the relations of X" from the index alone (subject first).
            models.UniqueConstraint(
                fields=["subject", "type", "object"], name="relation_once_per_triple"
            ),
            models.CheckConstraint(
                condition=~Q(subject=models.F("object")), name="relation_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
                name="relation_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.type} {self.object_id}"


class HistoryEntry(models.Model):
    """Who did what to an entity, and when. Survives the entity's deletion through its label."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        TRASHED = "trashed", _("moved to the trash")
        RESTORED = "restored", _("restored")
        DELETED = "deleted", _("deleted")
        RELATED = "related", _("relation added")
        UNRELATED = "unrelated", _("relation removed")
        PROPERTY_ADDED = "property_added", _("property added")
        PROPERTY_REMOVED = "property_removed", _("property removed")
        IMPORTED = "imported", _("imported")
        MERGED = "merged", _("merged")

    entity = models.ForeignKey(
        Entity,
        on_delete=models.SET_NULL,
        null=True,
        related_name="history",
        db_index=False,
        verbose_name=_("entity"),
    )
    entity_label = models.CharField(_("entity"), max_length=LABEL_MAX_LENGTH)
    entity_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("entity type")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateTimeField(_("date"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    #: Kind-specific details: ``changes`` [{field, old, new}], ``relation_type``,
    #: ``predicate``, ``other_uuid``, ``other_label``, ``property_type``, ``property``.
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["entity", "-date"], name="history_of_entity")]

    def __str__(self) -> str:
        return f"{self.entity_label}: {self.get_kind_display()}"


class PopulateMark(models.Model):
    """A step of the default data that has run once; it is not run again, so that what users
    deleted or renamed afterwards stays as they left it."""

    key = models.CharField(max_length=100, unique=True)
    done = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class ApiToken(models.Model):
    """A bearer token for the HTTP API. Only a SHA-256 digest of the secret is stored: the
    token is shown once, when it is created, and a stolen database does not reveal it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    #: The first characters of the token, shown in lists so a user can tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SavedListSetting(models.Model):
    """What saved filters and views share: a name, an entity type, an owner, and whether only
    the owner sees it (private) or every user does (shared)."""

    name = models.CharField(_("name"), max_length=100)
    entity_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("entity type")
    )
    is_private = models.BooleanField(
        _("private"), default=False, help_text=_("Only its owner sees a private one.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    modified = models.DateTimeField(_("modified"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class EntityFilter(SavedListSetting):
    """A saved filter on one entity type: conditions combined with "all" or "any".

    ``conditions`` is the JSON shape ``tandem.core.filters`` documents; ``uses`` lists the
    filters it refers to (kept by the service), so that loops and deletions of a filter in use
    are caught without reading every filter's JSON.
    """

    class Match(models.TextChoices):
        ALL = "all", _("all conditions")
        ANY = "any", _("any condition")

    match = models.CharField(_("match"), max_length=3, choices=Match.choices, default=Match.ALL)
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    uses = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="used_by", verbose_name=_("uses")
    )

    class Meta(SavedListSetting.Meta):
        verbose_name = _("filter")
        verbose_name_plural = _("filters")
        indexes = [models.Index(fields=["entity_type", "name"], name="filter_of_type")]

    def __str__(self) -> str:
        # Built-in names are stored in English and translated on display.
        return gettext(self.name) if self.is_builtin else self.name


class SavedView(SavedListSetting):
    """A named set of list columns for one entity type, private or shared.

    ``columns`` holds column keys (``tandem.core.columns``): ``field:<path>``,
    ``relation:<relation type id>``, ``properties``, ``computed:<name>``.
    """

    columns = models.JSONField(_("columns"), default=list, blank=True)

    class Meta(SavedListSetting.Meta):
        verbose_name = _("view")
        verbose_name_plural = _("views")
        indexes = [models.Index(fields=["entity_type", "name"], name="view_of_type")]
