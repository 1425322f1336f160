"""The engine: entities, relation types and relations, properties, history, trash."""
