"""Postal addresses as given in inputs, and the one validation every resource applies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from oms_graphql.errors import Problem, api_name
from oms_graphql.geo import normalize_country_code
from oms_graphql.unset import UNSET, Unset

_TEXT_LIMITS = {
    "first_name": 255,
    "last_name": 255,
    "company": 255,
    "address1": 255,
    "address2": 255,
    "city": 255,
    "province": 255,
    "zip": 32,
    "phone": 64,
}


@dataclass(frozen=True, slots=True)
class AddressInput:
    """An address as given; ``UNSET`` fields are left as they are when editing."""

    first_name: str | Unset | None = UNSET
    last_name: str | Unset | None = UNSET
    company: str | Unset | None = UNSET
    address1: str | Unset | None = UNSET
    address2: str | Unset | None = UNSET
    city: str | Unset | None = UNSET
    province: str | Unset | None = UNSET
    zip: str | Unset | None = UNSET
    country_code: str | Unset | None = UNSET
    phone: str | Unset | None = UNSET
    latitude: float | Unset | None = UNSET
    longitude: float | Unset | None = UNSET

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not UNSET
        }


ADDRESS_FIELDS = tuple(f.name for f in fields(AddressInput))


def _clean_text(value: Any) -> str | None:
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def merge_address(current: Mapping[str, Any], given: AddressInput) -> dict[str, Any]:
    """The address after an edit: given fields replace current ones, the rest stay."""
    merged = {name: current.get(name) for name in ADDRESS_FIELDS}
    merged.update(given.given())
    return merged


def check_address(
    address: Mapping[str, Any],
    path: tuple[str, ...],
    problems: list[Problem],
    *,
    require_country: bool,
    allowed: tuple[str, ...] = ADDRESS_FIELDS,
) -> dict[str, Any]:
    """Validate a whole address; return it normalized (trimmed, upper-case country).

    Problems are appended with paths under ``path``; only the ``allowed`` fields are kept.
    """
    clean: dict[str, Any] = {}
    for name in allowed:
        if name in _TEXT_LIMITS:
            text = _clean_text(address.get(name))
            limit = _TEXT_LIMITS[name]
            if text is not None and len(text) > limit:
                api = api_name(name)
                problems.append(
                    Problem("TOO_LONG", f"{api} is longer than {limit} characters", (*path, api))
                )
            clean[name] = text
    raw_country = _clean_text(address.get("country_code"))
    if raw_country is None:
        if require_country:
            problems.append(Problem("BLANK", "countryCode is required", (*path, "countryCode")))
        clean["country_code"] = None
    else:
        country = normalize_country_code(raw_country)
        if country is None:
            problems.append(
                Problem(
                    "INVALID",
                    f"{raw_country!r} is not an ISO 3166-1 alpha-2 country code",
                    (*path, "countryCode"),
                )
            )
        clean["country_code"] = country
    latitude, longitude = address.get("latitude"), address.get("longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        problems.append(
            Problem("OUT_OF_RANGE", "latitude must be between -90 and 90", (*path, "latitude"))
        )
    if longitude is not None and not -180 <= longitude <= 180:
        problems.append(
            Problem("OUT_OF_RANGE", "longitude must be between -180 and 180", (*path, "longitude"))
        )
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        problems.append(
            Problem("INVALID", "latitude and longitude must be given together", (*path, missing))
        )
    clean["latitude"], clean["longitude"] = latitude, longitude
    return clean


def is_empty(address: Mapping[str, Any]) -> bool:
    return all(address.get(name) is None for name in ADDRESS_FIELDS)
