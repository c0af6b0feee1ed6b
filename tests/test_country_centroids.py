"""The built-in country centroids cover every known country code and sit roughly in the middle."""

from __future__ import annotations

import pytest

from oms_graphql.country_centroids import COUNTRY_CENTROIDS, centroid
from oms_graphql.geo import COUNTRY_CODES, distance_km


def test_every_country_code_has_a_centroid_and_no_more() -> None:
    assert set(COUNTRY_CENTROIDS) == set(COUNTRY_CODES)


def test_coordinates_are_in_range() -> None:
    for code, (lat, lon) in COUNTRY_CENTROIDS.items():
        assert -90 <= lat <= 90, code
        assert -180 <= lon <= 180, code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("IT", (42.8, 12.6)),
        ("US", (39.8, -98.6)),
        ("JP", (36.2, 138.3)),
        ("BR", (-10.8, -53.1)),
        ("ZA", (-29.0, 25.1)),
    ],
)
def test_spot_checks(code: str, expected: tuple[float, float]) -> None:
    found = centroid(code)
    assert found is not None
    assert found[0] == pytest.approx(expected[0], abs=3)
    assert found[1] == pytest.approx(expected[1], abs=3)


def test_lookup_is_case_and_space_insensitive() -> None:
    assert centroid("it ") == centroid("IT")
    assert centroid("IT") is not None


def test_unknown_codes_have_no_centroid() -> None:
    assert centroid("XX") is None
    assert centroid(None) is None


def test_france_and_germany_are_neighbours() -> None:
    fr = centroid("FR")
    de = centroid("DE")
    assert fr is not None
    assert de is not None
    assert 300 <= distance_km(*fr, *de) <= 1200
