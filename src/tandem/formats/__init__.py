"""Date formats that override Django's per-language defaults (``FORMAT_MODULE_PATH``)."""
