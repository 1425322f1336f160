"""Cell values → typed values, refusing what cannot be read rather than guessing.

A CSV file holds text only and an XLSX file holds numbers and dates that a spreadsheet may
already have damaged (a phone number turned into ``3,36123E+11``, a postal code that lost its
leading zero). These functions never invent: an ambiguous or impossible value raises
:class:`ValueRejected` with a translated message naming the value, so the import report can
say which cell of which line was not taken. An empty value (None or blank text) gives None.
"""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

DATE_ORDERS = ("dmy", "mdy", "ymd")

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")
_SHORT = re.compile(r"(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})")
# A time part after the date: "1991-01-20T10:00:00+02:00", "20/01/1991 10:00", "19800321T1430".
_TIME = re.compile(
    r"(?:T|\s+)\d{1,2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:Z|[AaPp][Mm]|[+-]\d{2}:?\d{2})?"
)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_SPACES = re.compile(r"[\s\u00a0\u202f'’]+")
_CURRENCY = re.compile(r"^[€$£¥]|[€$£¥]$|\s*(?:EUR|USD|GBP|CHF)$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SEPARATORS = re.compile(r"\s*:::\s*|[\r\n;,]+")


class ValueRejected(ValueError):
    """A value that cannot be taken as the type asked for; the message is translated."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _year(short: str) -> int:
    """Two-digit years are read as not in the future: "91" is 1991, "05" is 2005 — imported
    dates are birthdays and creation dates, which lie in the past."""
    if len(short) != 2:
        return int(short)
    today = datetime.date.today()
    year = 2000 + int(short)
    return year if year <= today.year else year - 100


def _make_date(value: str, year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise ValueRejected(
            _("“%(value)s” is an impossible date: there is no month %(month)s.")
            % {"value": value, "month": month}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueRejected(
            _("“%(value)s” is an impossible date: that day does not exist.") % {"value": value}
        ) from None


def parse_date(value: Any, order: str = "dmy") -> datetime.date | tuple[None, int, int] | None:
    """Read a date; ``order`` ("dmy", "mdy" or "ymd") says how to read "20/01/1991" or
    "01-20-91", since only the user knows. ISO ``1991-01-20`` and basic ``19910120`` are read
    the same in every order; a yearless ``--0203`` gives ``(None, 2, 3)``; a time is ignored.
    A value that would need a month 13 or more is refused, never read the other way round."""
    if order not in DATE_ORDERS:
        raise ValueError(f"unknown date order {order!r}")
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool | float | Decimal):
        raise ValueRejected(_("“%(value)s” is not a date.") % {"value": value})
    text = _text(value)
    if text is None:
        return None
    if match := _YEARLESS.fullmatch(text):
        month, day = int(match[1]), int(match[2])
        _make_date(text, 2000, month, day)  # a leap year: 29 February is a possible birthday
        return (None, month, day)
    for pattern in (_ISO, _BASIC):
        if match := pattern.match(text):
            rest = text[match.end() :]
            if not rest or _TIME.fullmatch(rest):
                return _make_date(text, int(match[1]), int(match[2]), int(match[3]))
    match = _SHORT.match(text)
    rest = text[match.end() :] if match else ""
    if not match or (rest and not _TIME.fullmatch(rest)):
        raise ValueRejected(
            _("“%(value)s” is not a date (write it for example 1991-01-20 or 20/01/1991).")
            % {"value": text}
        )
    first, second, third = match[1], match[3], match[4]
    if len(first) == 4 and len(third) > 2:
        raise ValueRejected(_("“%(value)s” is not a date.") % {"value": text})
    if len(first) == 4 or order == "ymd":
        if len(third) > 2:
            raise ValueRejected(
                _("“%(value)s” is not a date in the year-month-day order chosen.") % {"value": text}
            )
        year, month, day = first, second, third
    else:
        if len(first) > 2:
            raise ValueRejected(_("“%(value)s” is not a date.") % {"value": text})
        year = third
        day, month = (first, second) if order == "dmy" else (second, first)
    if len(year) == 3:
        raise ValueRejected(_("“%(value)s” is not a date.") % {"value": text})
    return _make_date(text, _year(year), int(month), int(day))


def parse_year(value: Any) -> int | None:
    """The first four-digit year of a value: "2013 (1888)" (a company re-founded) is 2013."""
    if isinstance(value, datetime.date):
        return value.year
    if isinstance(value, int) and not isinstance(value, bool):
        if 1000 <= value <= 9999:
            return value
        raise ValueRejected(_("“%(value)s” is not a year.") % {"value": value})
    if isinstance(value, float) and value.is_integer():
        return parse_year(int(value))
    text = _text(value)
    if text is None:
        return None
    match = _YEAR.search(text)
    if not match:
        raise ValueRejected(_("“%(value)s” is not a year.") % {"value": text})
    return int(match[1])


def _without_thousands(number: str, thousands: str, decimal: str) -> str | None:
    """``number`` with its thousands separators removed and a "." decimal point, or None when
    the separators are not every three digits (then they were not thousands separators)."""
    integer, has_decimal, decimals = number.partition(decimal)
    sign = integer[:1] if integer[:1] in ("+", "-") else ""
    groups = integer[len(sign) :].split(thousands)
    if len(groups) > 1 and not (
        1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    ):
        return None
    return sign + "".join(groups) + ("." + decimals if has_decimal else "")


def parse_decimal(value: Any, decimal_comma: bool = False) -> Decimal | None:
    """Read a number written by people or spreadsheets: spaces (also non-breaking) and
    apostrophes as thousands separators, a currency sign, and with ``decimal_comma`` the French
    "1.234,56". A separator that could mean two things is refused, not guessed."""
    if isinstance(value, bool):
        raise ValueRejected(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise ValueRejected(_("“%(value)s” is not a number.") % {"value": value})
        return number
    text = _text(value)
    if text is None:
        return None
    written = _SPACES.sub("", _CURRENCY.sub("", text).strip())
    if decimal_comma:
        plain = _without_thousands(written, ".", ",")
    else:
        plain = _without_thousands(written, ",", ".")
    try:
        result = Decimal(plain) if plain else None
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite():
        if not decimal_comma and re.fullmatch(r"[+-]?\d+,\d+", text):
            raise ValueRejected(
                _(
                    "“%(value)s” is not a number with a decimal point: if the file writes "
                    "decimals with a comma, choose the decimal comma option."
                )
                % {"value": text}
            )
        if decimal_comma and re.fullmatch(r"[+-]?\d+\.\d+", text):
            raise ValueRejected(
                _(
                    "“%(value)s” is not a number with a decimal comma; if the file writes "
                    "decimals with a point, do not choose the decimal comma option."
                )
                % {"value": text}
            )
        raise ValueRejected(_("“%(value)s” is not a number.") % {"value": text})
    return result


def parse_integer(value: Any, decimal_comma: bool = False) -> int | None:
    """Read a whole number ("1 200", "1,200", 1200.0 from a spreadsheet); "12.5" is refused."""
    number = parse_decimal(value, decimal_comma=decimal_comma)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueRejected(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def parse_phone(value: Any) -> str | None:
    """A phone number as text, as the user wrote it. A number an XLSX cell holds as a number
    gives its digits (no ".0"); one a spreadsheet turned into scientific notation lost its
    last digits and is refused, with the way to fix the file."""
    if isinstance(value, bool):
        raise ValueRejected(_("“%(value)s” is not a phone number.") % {"value": value})
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if not (math.isfinite(value) and value == int(value)):
            raise ValueRejected(_("“%(value)s” is not a phone number.") % {"value": value})
        return str(int(value))
    text = _text(value)
    if text is None:
        return None
    if _SCIENTIFIC.fullmatch(text):
        raise ValueRejected(
            _(
                "“%(value)s” is a phone number that the spreadsheet turned into scientific "
                "notation, losing its last digits. Format the column as text in the spreadsheet, "
                "type the numbers again and export the file again."
            )
            % {"value": text}
        )
    if text.lower().startswith("tel:"):
        text = text[4:].strip()
    if re.fullmatch(r"\+?\d+\.0", text):  # a number a program wrote as a float
        text = text[:-2]
    if not any(char.isdigit() for char in text):
        raise ValueRejected(
            _("“%(value)s” is not a phone number: it has no digits.") % {"value": text}
        )
    return text


def split_values(value: Any) -> list[str]:
    """Split a cell holding several values: Google's " ::: ", semicolons, commas and line
    breaks. Items are stripped, blanks and repeats dropped, order kept."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        pieces = [piece for item in value for piece in split_values(item)]
    else:
        pieces = [piece.strip() for piece in _SEPARATORS.split(str(value))]
    result: list[str] = []
    for piece in pieces:
        if piece and piece not in result:
            result.append(piece)
    return result
