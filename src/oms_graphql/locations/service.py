"""Rules for adding, editing, activating and deactivating locations."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.errors import DomainError, Problem
from oms_graphql.geo import normalize_country_code
from oms_graphql.locations import repository
from oms_graphql.models import Location, LocationKind
from oms_graphql.unset import UNSET, Unset

NAME_MAX = 255
_TEXT_LIMITS = {
    "address1": 255,
    "address2": 255,
    "city": 255,
    "province": 255,
    "zip": 32,
    "phone": 64,
}
_API_NAMES = {"country_code": "countryCode", "daily_order_capacity": "dailyOrderCapacity"}


@dataclass(frozen=True, slots=True)
class LocationAddress:
    """An address as given; ``UNSET`` fields are left as they are when editing."""

    address1: str | Unset | None = UNSET
    address2: str | Unset | None = UNSET
    city: str | Unset | None = UNSET
    province: str | Unset | None = UNSET
    zip: str | Unset | None = UNSET
    country_code: str | Unset | None = UNSET
    phone: str | Unset | None = UNSET
    latitude: float | Unset | None = UNSET
    longitude: float | Unset | None = UNSET


@dataclass(frozen=True, slots=True)
class LocationFields:
    """The editable fields of a location; ``UNSET`` means "not given"."""

    name: str | Unset = UNSET
    kind: LocationKind | Unset = UNSET
    address: LocationAddress | Unset = UNSET
    fulfills_online_orders: bool | Unset = UNSET
    pickup_enabled: bool | Unset = UNSET
    priority: int | Unset = UNSET
    daily_order_capacity: int | Unset | None = UNSET


def _api(name: str) -> str:
    return _API_NAMES.get(name, name)


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def _check_address(
    merged: dict[str, Any], path: tuple[str, ...], problems: list[Problem]
) -> dict[str, Any]:
    """Validate a complete address (after merging an edit); return it normalized."""
    clean = dict(merged)
    for name, limit in _TEXT_LIMITS.items():
        clean[name] = _blank_to_none(clean.get(name))
        if clean[name] is not None and len(clean[name]) > limit:
            problems.append(
                Problem("TOO_LONG", f"{name} is longer than {limit} characters", (*path, name))
            )
    raw_country = _blank_to_none(clean.get("country_code"))
    if raw_country is None:
        problems.append(Problem("BLANK", "countryCode is required", (*path, "countryCode")))
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
    latitude, longitude = clean.get("latitude"), clean.get("longitude")
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
    return clean


def _address_of(location: Location) -> dict[str, Any]:
    return {f.name: getattr(location, f.name) for f in fields(LocationAddress)}


async def _check(
    session: AsyncSession,
    given: LocationFields,
    current: dict[str, Any],
    *,
    location_id: int | None,
) -> dict[str, Any]:
    """Merge ``given`` into ``current``, validate everything, return the values to store."""
    path = ("input",)
    problems: list[Problem] = []
    values = dict(current)
    for f in fields(LocationFields):
        value = getattr(given, f.name)
        if value is not UNSET and f.name != "address":
            values[f.name] = value

    if given.name is not UNSET:
        name = given.name.strip()
        values["name"] = name
        if not name:
            problems.append(Problem("BLANK", "name can't be blank", (*path, "name")))
        elif len(name) > NAME_MAX:
            problems.append(
                Problem("TOO_LONG", f"name is longer than {NAME_MAX} characters", (*path, "name"))
            )
        elif await repository.name_taken(session, name, except_id=location_id):
            problems.append(
                Problem("TAKEN", f"a location named {name!r} already exists", (*path, "name"))
            )

    if given.address is not UNSET:
        merged = {f.name: current.get(f.name) for f in fields(LocationAddress)}
        for f in fields(LocationAddress):
            value = getattr(given.address, f.name)
            if value is not UNSET:
                merged[f.name] = value
        values.update(_check_address(merged, (*path, "address"), problems))

    capacity = values.get("daily_order_capacity")
    if capacity is not None and capacity < 0:
        problems.append(
            Problem(
                "OUT_OF_RANGE",
                "dailyOrderCapacity must be zero or more (leave it empty for no limit)",
                (*path, _api("daily_order_capacity")),
            )
        )
    if problems:
        raise DomainError(problems)
    return values


async def _flush_or_taken(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError:
        # Two requests raced past the name check; the unique index decided.
        raise DomainError.single(
            "TAKEN", "a location with this name already exists", ("input", "name")
        ) from None


async def add_location(session: AsyncSession, *, given: LocationFields) -> Location:
    """Create a location; a name and an address with a country are required."""
    problems = []
    if given.name is UNSET:
        problems.append(Problem("BLANK", "name can't be blank", ("input", "name")))
    if given.address is UNSET:
        problems.append(
            Problem("BLANK", "countryCode is required", ("input", "address", "countryCode"))
        )
    if problems:
        raise DomainError(problems)
    defaults = {
        "kind": LocationKind.WAREHOUSE,
        "fulfills_online_orders": True,
        "pickup_enabled": False,
        "priority": 0,
        "daily_order_capacity": None,
    }
    values = await _check(session, given, defaults, location_id=None)
    location = Location(**values)
    session.add(location)
    await _flush_or_taken(session)
    return location


async def _existing(session: AsyncSession, location_id: int) -> Location:
    location = await repository.get(session, location_id, for_update=True)
    if location is None:
        raise DomainError.single("NOT_FOUND", "location not found", ("id",))
    return location


async def edit_location(
    session: AsyncSession, *, location_id: int, given: LocationFields
) -> Location:
    """Change the given fields; an address is merged field by field and validated whole."""
    location = await _existing(session, location_id)
    current = {
        "name": location.name,
        "kind": location.kind,
        "fulfills_online_orders": location.fulfills_online_orders,
        "pickup_enabled": location.pickup_enabled,
        "priority": location.priority,
        "daily_order_capacity": location.daily_order_capacity,
        **_address_of(location),
    }
    values = await _check(session, given, current, location_id=location_id)
    for name, value in values.items():
        if getattr(location, name) != value:
            setattr(location, name, value)
    await _flush_or_taken(session)
    return location


async def set_active(session: AsyncSession, *, location_id: int, active: bool) -> Location:
    """Activate or deactivate; asking for the state a location is already in changes nothing."""
    location = await _existing(session, location_id)
    if location.is_active != active:
        location.is_active = active
        await session.flush()
    return location


__all__ = [
    "LocationAddress",
    "LocationFields",
    "add_location",
    "edit_location",
    "set_active",
]
