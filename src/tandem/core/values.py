"""Turning field values into the JSON-safe, readable form kept in history and conflicts."""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

from django.db import models


def display_value(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value for the history."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, default=str))
    if isinstance(value, models.Model):
        return str(value)
    return str(value)
