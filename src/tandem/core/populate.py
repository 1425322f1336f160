"""Idempotent default data: each app's ``populate`` module declares what must exist.

Populate only creates what is missing and never changes what exists, so that running it again
(every ``make run`` does) keeps users' renamings, disabled types and deleted choices as they are.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib.util import find_spec

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_noop

from tandem.core.models import PopulateMark, PropertyType, RelationType

REL_SUB_OWNS = "core-subject_owns"
REL_OBJ_OWNS = "core-object_owns"


def ensure_property_type(
    type_id: str, text: str, subject_models: Iterable[type[models.Model]] = ()
) -> PropertyType:
    """Create the built-in property type ``type_id`` unless it exists."""
    property_type, created = PropertyType.objects.get_or_create(
        id=type_id, defaults={"text": text, "is_custom": False}
    )
    if created:
        property_type.subject_types.set(
            ContentType.objects.get_for_models(*subject_models).values()
        )
    return property_type


def ensure_relation_type(
    subject: tuple[str, str],
    object: tuple[str, str],
    *,
    subject_models: Iterable[type[models.Model]] = (),
    object_models: Iterable[type[models.Model]] = (),
    subject_properties: Iterable[PropertyType] = (),
    object_properties: Iterable[PropertyType] = (),
    is_internal: bool = False,
    is_copiable: bool = True,
) -> RelationType:
    """Create the built-in pair ``(subject id, predicate)`` / ``(object id, predicate)`` unless
    it exists; return the subject side."""
    (subject_id, subject_predicate), (object_id, object_predicate) = subject, object
    existing = RelationType.objects.filter(pk=subject_id).first()
    if existing is not None:
        return existing
    flags = {"is_custom": False, "is_internal": is_internal, "is_copiable": is_copiable}
    side = RelationType.objects.create(id=subject_id, predicate=subject_predicate, **flags)
    reverse = RelationType.objects.create(
        id=object_id, predicate=object_predicate, reverse=side, **flags
    )
    side.reverse = reverse
    side.save(update_fields=["reverse"])
    side.subject_types.set(ContentType.objects.get_for_models(*subject_models).values())
    reverse.subject_types.set(ContentType.objects.get_for_models(*object_models).values())
    side.subject_properties.set(subject_properties)
    reverse.subject_properties.set(object_properties)
    return side


def first_time(key: str) -> bool:
    """True the first time it is asked for ``key`` (and records it), False ever after."""
    _mark, created = PopulateMark.objects.get_or_create(key=key)
    return created


def populate() -> None:
    """Core's own defaults: the generic "owns / belongs to" pair (any → any)."""
    ensure_relation_type(
        (REL_SUB_OWNS, gettext_noop("owns")), (REL_OBJ_OWNS, gettext_noop("belongs to"))
    )


def populate_all() -> None:
    """Run every installed Tandem app's ``populate()`` in one transaction."""
    with transaction.atomic():
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.populate"
            if not app_config.name.startswith("tandem.") or find_spec(module_name) is None:
                continue
            importlib.import_module(module_name).populate()
