"""Checks shared by tests: the relation pair invariant."""

from tandem.core.models import Entity, Relation


def assert_pairs_are_consistent() -> None:
    relations = {r.pk: r for r in Relation.objects.select_related("type")}
    triples = [(r.subject_id, r.type_id, r.object_id) for r in relations.values()]
    assert len(triples) == len(set(triples)), "duplicate relation"
    existing = set(Entity.objects.values_list("pk", flat=True))
    for relation in relations.values():
        assert relation.subject_id in existing and relation.object_id in existing
        assert relation.subject_id != relation.object_id
        reverse = relations.get(relation.reverse_id)
        assert reverse is not None, f"relation {relation.pk} has no reverse"
        assert reverse.reverse_id == relation.pk
        assert (reverse.subject_id, reverse.type_id, reverse.object_id) == (
            relation.object_id,
            relation.type.reverse_id,
            relation.subject_id,
        )
        assert (reverse.note, reverse.start_date, reverse.end_date) == (
            relation.note,
            relation.start_date,
            relation.end_date,
        )
