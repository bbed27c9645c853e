"""``model.parse_iso``: every ISO-8601 form the API or Pace Maker may send parses the same on
every supported Python (3.10's ``fromisoformat`` takes no ``Z`` and only 3- or 6-digit
fractions, 3.11+ takes many more), and nothing else parses or raises."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from statusline.core.model import iso, parse_iso

UTC = timezone.utc
AT = datetime(2025, 11, 13, 4, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, micro", [
    ("2025-11-13T04:00:00Z", 0),
    ("2025-11-13T04:00:00z", 0),
    ("2025-11-13T04:00:00+00:00", 0),
    ("2025-11-13T04:00:00-00:00", 0),
    ("2025-11-13T04:00:00+0000", 0),
    ("2025-11-13T04:00:00+00", 0),
    ("2025-11-13T04:00:00", 0),  # naive: UTC
    ("2025-11-13 04:00:00", 0),  # SQLite's CURRENT_TIMESTAMP
    ("2025-11-13t04:00:00Z", 0),
    ("2025-11-13T04:00Z", 0),
    ("  2025-11-13T04:00:00Z\n", 0),
    ("2025-11-13T04:00:00.1Z", 100000),
    ("2025-11-13T04:00:00.12+00:00", 120000),
    ("2025-11-13T04:00:00.123Z", 123000),
    ("2025-11-13T04:00:00.0011Z", 1100),
    ("2025-11-13T04:00:00.12345Z", 123450),
    ("2025-11-13T04:00:00.001100+00:00", 1100),
    ("2025-11-13T04:00:00.1234567Z", 123456),  # .NET's 7 digits
    ("2025-11-13T04:00:00.12345678+00:00", 123456),
    ("2025-11-13T04:00:00.123456789Z", 123456),  # nanoseconds (Go, JavaScript's Temporal)
    ("2025-11-13 04:00:00.5", 500000),
    ("2025-11-13T04:00:00,5Z", 500000),  # ISO's decimal comma
])
def test_forms_of_one_instant(text: str, micro: int) -> None:
    assert parse_iso(text) == AT.replace(microsecond=micro)


@pytest.mark.parametrize("text, expected", [
    ("2025-11-13T05:30:00+01:30", AT),
    ("2025-11-13T09:30:00.5+0530", AT.replace(microsecond=500000)),
    ("2025-11-12T23:00:00-05:00", AT),
    ("2025-11-13", AT.replace(hour=0)),
    ("2025-12-31T23:30:00-01:00", datetime(2026, 1, 1, 0, 30, tzinfo=UTC)),
    ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
    ("1970-01-01T00:00:00+00:00", datetime(1970, 1, 1, tzinfo=UTC)),  # what iso(utc(0)) writes
])
def test_offsets_and_dates(text: str, expected: datetime) -> None:
    got = parse_iso(text)
    assert got == expected and got is not None and got.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", [
    None, 12, 1.5, b"2025-11-13T04:00:00Z", [], "", " ", "yesterday", "2025", "2025-11", "2025-11-1",
    "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-11-13T24:00:00Z", "2025-11-13T04:60:00Z",
    "2025-11-13T04:00:60Z", "2025-11-13T04:00:00.Z", "2025-11-13T04:00:00.", "2025-11-13T04Z",
    "2025-11-13T4:00:00Z", "2025-11-13T04:00:00+24:00", "2025-11-13T04:00:00+01:60",
    "2025-11-13T04:00:00+1", "2025-11-13T04:00:00+01:00:00", "2025-11-13T04:00:00 Z",
    "2025-11-13T04:00:00ZZ", "2025-11-13T04:00:00Z junk", "2025-11-13X04:00:00", "2025-11-13Z",
    "20251113T040000Z", "2025-W46-4", "2025-317", "+2025-11-13", "2025/11/13 04:00:00",
    "２０２５-11-13T04:00:00Z", "2025-11-13T04:00:00.\u0663Z", "2025-1\u00b2-13",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",  # fromisoformat's overflow cases
    "1969-12-31T23:59:59Z", "2101-01-01T00:00:00Z", "0000-01-01", "2025-11-13T04:00:00" + "0" * 80,
    "2025-11-13T04:00:00\x00", "2025-11-13T04:00:00\x1b[31m",
])
def test_garbage_and_out_of_range_are_none(value: object) -> None:
    assert parse_iso(value) is None


def test_round_trip_of_what_we_write() -> None:
    for dt in (AT, AT.replace(microsecond=1), datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)):
        assert parse_iso(iso(dt)) == dt


INSTANTS = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 30),
                        timezones=st.just(UTC))
OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)


def _zone(minutes: int, style: int) -> str:
    if minutes == 0 and style == 3:
        return "Z"
    sign, m = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}" if style != 1 else f"{sign}{m // 60:02d}{m % 60:02d}"


@given(INSTANTS, OFFSETS, st.integers(min_value=1, max_value=9), st.sampled_from("Tt "), st.integers(0, 3))
@example(AT, 0, 6, "T", 3)
def test_any_instant_any_offset_any_precision(at: datetime, offset: int, places: int, sep: str, style: int) -> None:
    """Written with any offset, separator and 1-9 fraction digits, an instant reads back as
    itself, cut to the digits written (and to the microsecond)."""
    local = (at + timedelta(minutes=offset)).replace(tzinfo=None)
    fraction = f"{local.microsecond:06d}000"[:places]
    text = f"{local:%Y-%m-%d}{sep}{local:%H:%M:%S}.{fraction}{_zone(offset, style)}"
    kept = int((fraction + "000000")[:6])
    assert parse_iso(text) == at.replace(microsecond=kept), text


@given(st.text(max_size=70))
@example("2025-11-13T04:00:00.123456789012Z")
def test_never_raises(text: str) -> None:
    got = parse_iso(text)
    assert got is None or (got.tzinfo is UTC and 1969 <= got.year <= 2101)


@given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9:.,]{2,20})?([Zz]|[+-][0-9:]{1,6})?\Z"))
def test_near_misses_never_raise(text: str) -> None:
    got = parse_iso(text)
    assert got is None or got.tzinfo is UTC
