"""Imports and exports: readers turn real-world files into rows, the importer turns rows into
entities through the core services, exporters stream entities out.

The pieces and who calls whom:

- ``decoding``  bytes → text: BOMs, UTF-16 without BOM, legacy code pages (charset-normalizer).
- ``tabular``   CSV (delimiter detection) and XLSX → :class:`~tandem.io.rows.SourceTable`.
- ``vcard``     vCard 2.1 / 3.0 / 4.0 → SourceTable whose columns are import targets already.
- ``values``    text → typed values (dates in a chosen order, decimal comma, phones…).
- ``guess``     header names → a guessed mapping (English, French, Google, Outlook…).
- ``importer``  SourceTable + mapping → entities, relations, a report (no parsing here).
- ``export``    entities → CSV / XLSX / vCard, streamed, formulas neutralised.
"""
