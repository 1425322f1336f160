"""Cell values → typed values: dates in the user's order but never an impossible month,
numbers with a decimal comma, phones a spreadsheet damaged, multi-valued cells."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.io.values import (
    ValueRejected,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_phone,
    parse_year,
    split_values,
)

D = datetime.date


@pytest.mark.parametrize("order", ["dmy", "mdy", "ymd"])
@pytest.mark.parametrize(
    "value",
    ["1991-01-20", "19910120", "1991/01/20", "1991-01-20T10:30:00+02:00", "1991-01-20 10:30"],
)
def test_iso_and_basic_dates_read_the_same_in_every_order(value, order):
    assert parse_date(value, order) == D(1991, 1, 20)


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("20/01/1991", "dmy", D(1991, 1, 20)),
        ("20.01.1991", "dmy", D(1991, 1, 20)),
        ("20-01-91", "dmy", D(1991, 1, 20)),
        ("01/20/1991", "mdy", D(1991, 1, 20)),
        ("1/2/1991", "mdy", D(1991, 1, 2)),
        ("1/2/1991", "dmy", D(1991, 2, 1)),
        ("91-01-20", "ymd", D(1991, 1, 20)),
        ("05/06/07", "dmy", D(2007, 6, 5)),
        ("20/01/1991 14:30:00", "dmy", D(1991, 1, 20)),
        ("19800321T1430", "dmy", D(1980, 3, 21)),
        (" 20/01/1991 ", "dmy", D(1991, 1, 20)),
    ],
)
def test_dates_in_the_chosen_order(value, order, expected):
    assert parse_date(value, order) == expected


def test_two_digit_years_are_not_in_the_future():
    next_year = (datetime.date.today().year + 1) % 100
    assert parse_date(f"01/01/{next_year:02d}").year == 1900 + next_year


@pytest.mark.parametrize(("value", "order"), [("20/01/1991", "mdy"), ("01/20/1991", "dmy")])
def test_month_20_is_never_read_and_the_message_names_the_value(value, order):
    with pytest.raises(ValueRejected, match="impossible date") as refusal:
        parse_date(value, order)
    assert value in str(refusal.value)
    assert "20" in str(refusal.value)


@pytest.mark.parametrize(
    "value", ["1991-02-30", "31/04/1991", "--0230", "2023-13-01", "29/02/1991"]
)
def test_days_that_do_not_exist_are_refused(value):
    with pytest.raises(ValueRejected, match="impossible date"):
        parse_date(value)


@pytest.mark.parametrize(
    "value", ["soon", "20/01", "1991", "20/01/1991/3", "12/20/1991", "20/01/1991 foo", 3.5]
)
def test_what_is_not_a_date_is_refused(value):
    with pytest.raises(ValueRejected) as refusal:
        parse_date(value, "dmy")
    assert str(value) in str(refusal.value)


def test_a_year_last_does_not_fit_the_ymd_order():
    with pytest.raises(ValueRejected, match="year-month-day"):
        parse_date("20/01/1991", "ymd")


def test_yearless_dates():
    assert parse_date("--0203") == (None, 2, 3)
    assert parse_date("--02-03") == (None, 2, 3)
    assert parse_date("--0229") == (None, 2, 29)


def test_dates_and_datetimes_from_xlsx_pass_through():
    assert parse_date(D(1991, 1, 20)) == D(1991, 1, 20)
    assert parse_date(datetime.datetime(1991, 1, 20, 23, 59)) == D(1991, 1, 20)
    assert parse_date(19910120) == D(1991, 1, 20)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_values_give_none(value):
    assert parse_date(value) is None
    assert parse_decimal(value) is None
    assert parse_integer(value) is None
    assert parse_phone(value) is None
    assert parse_year(value) is None


def test_unknown_order_is_a_programming_error():
    with pytest.raises(ValueError, match="order"):
        parse_date("1991-01-20", "ydm")


@pytest.mark.parametrize(
    ("value", "decimal_comma", "expected"),
    [
        ("1234.5", False, Decimal("1234.5")),
        ("1,234.50", False, Decimal("1234.50")),
        ("1 234,50", True, Decimal("1234.50")),
        ("1.234,50", True, Decimal("1234.50")),
        ("1\u202f234,5 €", True, Decimal("1234.5")),
        ("12,5", True, Decimal("12.5")),
        ("-3", False, Decimal("-3")),
        ("$1,000", False, Decimal("1000")),
        ("1'000.25", False, Decimal("1000.25")),
        ("1000 EUR", False, Decimal("1000")),
        (12, False, Decimal("12")),
        (0.1, False, Decimal("0.1")),
        (Decimal("2.50"), True, Decimal("2.50")),
    ],
)
def test_decimals(value, decimal_comma, expected):
    assert parse_decimal(value, decimal_comma=decimal_comma) == expected


def test_a_decimal_comma_without_the_option_is_refused_with_advice():
    with pytest.raises(ValueRejected, match="decimal comma") as refusal:
        parse_decimal("12,5")
    assert "12,5" in str(refusal.value)
    with pytest.raises(ValueRejected, match="not a number with a decimal comma"):
        parse_decimal("12.5", decimal_comma=True)


@pytest.mark.parametrize(
    "value", ["abc", "1,2,3", "1.2.3", "NaN", "Infinity", "12,34,5", True, float("nan")]
)
def test_what_is_not_a_number_is_refused(value):
    with pytest.raises(ValueRejected):
        parse_decimal(value)


def test_integers():
    assert parse_integer("1 200") == 1200
    assert parse_integer("1,200") == 1200
    assert parse_integer(1200.0) == 1200
    assert parse_integer("12.0") == 12
    with pytest.raises(ValueRejected, match="whole number"):
        parse_integer("12.5")


@pytest.mark.parametrize("value", ["3,36123E+11", "3.36123E+11", "3,36E11", "6.12345678e+08"])
def test_phones_in_scientific_notation_are_refused_saying_why(value):
    with pytest.raises(ValueRejected, match="scientific notation") as refusal:
        parse_phone(value)
    assert value in str(refusal.value)


def test_phones():
    assert parse_phone(" +33 1 99 00 12 34 ") == "+33 1 99 00 12 34"
    assert parse_phone(336123456789) == "336123456789"  # an XLSX number cell
    assert parse_phone(612345678.0) == "612345678"
    assert parse_phone(Decimal("612345678")) == "612345678"
    assert parse_phone("612345678.0") == "612345678"
    assert parse_phone("tel:+1-418-555-0154") == "+1-418-555-0154"
    with pytest.raises(ValueRejected, match="no digits") as refusal:
        parse_phone("BusinessPhone")
    assert "BusinessPhone" in str(refusal.value)
    with pytest.raises(ValueRejected):
        parse_phone(6.5)


def test_years():
    assert parse_year("2013 (1888)") == 2013
    assert parse_year("1902") == 1902
    assert parse_year(1902) == 1902
    assert parse_year(1902.0) == 1902
    assert parse_year(D(1902, 5, 1)) == 1902
    assert parse_year("c. 1850") == 1850
    with pytest.raises(ValueRejected, match="“old” is not a year"):
        parse_year("old")
    with pytest.raises(ValueRejected):
        parse_year(12)


def test_split_values():
    assert split_values("* My Contacts ::: Test") == ["* My Contacts", "Test"]
    assert split_values("a; b, c\nd\r\ne") == ["a", "b", "c", "d", "e"]
    assert split_values("VIP, vip, VIP,, ") == ["VIP", "vip"]
    assert split_values(["a, b", "c"]) == ["a", "b", "c"]
    assert split_values(None) == []
    assert split_values("") == []
