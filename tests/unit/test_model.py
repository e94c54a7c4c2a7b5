"""Value types of the format: durations and locations."""

from __future__ import annotations

import pytest

from bcplint.model.types import Duration, HostLocation
from bcplint.model.validate import validate


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("4h", 14400),
        ("1h30m", 5400),
        ("2d", 172800),
        ("1w", 604800),
        ("PT4H", 14400),
        ("P1D", 86400),
        ("P1DT2H", 93600),
        ("PT90M", 5400),
        ("45s", 45),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert Duration.parse(text).seconds == seconds
    assert str(Duration.parse(text)) == text


@pytest.mark.parametrize("text", ["", "4", "4 hours", "h", "P", "PT", "1y", "P1M", "P1Y", "4H", "-1h", "1h 30m"])
def test_invalid_durations(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        Duration.parse(text)


def test_months_and_years_are_explained() -> None:
    with pytest.raises(ValueError, match="months and years are not fixed durations"):
        Duration.parse("1y")


def test_locations_compare_case_insensitively() -> None:
    assert (
        HostLocation(provider="AWS", region="US-East-1").key() == HostLocation(provider="aws", region="us-east-1").key()
    )


def test_a_number_is_not_a_duration() -> None:
    model, problems = validate(
        {"apiVersion": "bcplint/v1", "kind": "Service", "name": "a", "criticality": "low", "rto": 4}
    )
    assert model is None
    assert [p.message for p in problems] == [
        "'rto': expected a duration such as 30m, 4h, 1h30m, 2d, 1w or ISO 8601 PT4H, got 4"
    ]


def test_booleans_are_not_names() -> None:
    model, problems = validate({"apiVersion": "bcplint/v1", "kind": "Contact", "name": True})
    assert model is None
    assert problems[0].field == ("name",)
