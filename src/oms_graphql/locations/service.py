"""Rules for adding, editing, activating and deactivating locations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.addresses import AddressInput, check_address, merge_address
from oms_graphql.channels import repository as channels
from oms_graphql.channels.service import resolve_handles
from oms_graphql.errors import DomainError, Problem, api_name
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId
from oms_graphql.locations import repository
from oms_graphql.models import Location, LocationKind
from oms_graphql.unset import UNSET, Unset

NAME_MAX = 255
ADDRESS_FIELDS = (
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
    "phone",
    "latitude",
    "longitude",
)
_SETTINGS = ("kind", "fulfills_online_orders", "pickup_enabled", "priority", "daily_order_capacity")


@dataclass(frozen=True, slots=True)
class LocationFields:
    """The editable fields of a location; ``UNSET`` means "not given".

    ``channels`` are handles; ``None`` or an empty list means "serves every channel".
    """

    name: str | Unset = UNSET
    kind: LocationKind | Unset = UNSET
    address: AddressInput | Unset = UNSET
    fulfills_online_orders: bool | Unset = UNSET
    pickup_enabled: bool | Unset = UNSET
    priority: int | Unset = UNSET
    daily_order_capacity: int | Unset | None = UNSET
    channels: list[str] | Unset | None = UNSET


async def _check_name(
    session: AsyncSession, name: str, location_id: int | None, problems: list[Problem]
) -> str:
    clean = name.strip()
    path = ("input", "name")
    if not clean:
        problems.append(Problem("BLANK", "name can't be blank", path))
    elif len(clean) > NAME_MAX:
        problems.append(Problem("TOO_LONG", f"name is longer than {NAME_MAX} characters", path))
    elif await repository.name_taken(session, clean, except_id=location_id):
        problems.append(Problem("TAKEN", f"a location named {clean!r} already exists", path))
    return clean


async def _validated(
    session: AsyncSession, location: Location, given: LocationFields, *, location_id: int | None
) -> tuple[dict[str, Any], list[int] | None]:
    """The column values to store and the channel ids (None: leave the channels alone)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if given.name is not UNSET:
        values["name"] = await _check_name(session, given.name, location_id, problems)
    for name in _SETTINGS:
        value = getattr(given, name)
        if value is not UNSET:
            values[name] = value
    capacity = values.get("daily_order_capacity")
    if capacity is not None and capacity < 0:
        problems.append(
            Problem(
                "OUT_OF_RANGE",
                "dailyOrderCapacity must be zero or more (leave it empty for no limit)",
                ("input", "dailyOrderCapacity"),
            )
        )
    if given.address is not UNSET:
        current = {name: getattr(location, name, None) for name in ADDRESS_FIELDS}
        merged = merge_address(current, given.address)
        values.update(
            check_address(
                merged, ("input", "address"), problems, require_country=True, allowed=ADDRESS_FIELDS
            )
        )
    channel_ids: list[int] | None = None
    if given.channels is not UNSET:
        try:
            found = await resolve_handles(session, given.channels or [], ("input", "channels"))
            channel_ids = [c.id for c in found]
        except DomainError as error:
            problems.extend(error.problems)
    if problems:
        raise DomainError(problems)
    return values, channel_ids


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
    missing = []
    if given.name is UNSET:
        missing.append(Problem("BLANK", "name can't be blank", ("input", "name")))
    if given.address is UNSET:
        missing.append(
            Problem("BLANK", "countryCode is required", ("input", "address", "countryCode"))
        )
    if missing:
        raise DomainError(missing)
    location = Location(
        kind=LocationKind.WAREHOUSE,
        is_active=True,
        fulfills_online_orders=True,
        pickup_enabled=False,
        priority=0,
        daily_order_capacity=None,
    )
    values, channel_ids = await _validated(session, location, given, location_id=None)
    for name, value in values.items():
        setattr(location, name, value)
    session.add(location)
    await _flush_or_taken(session)
    if channel_ids:
        await channels.set_location_channels(session, location.id, channel_ids)
    await record_event(
        session,
        EventType.LOCATION_CREATED,
        GlobalId("Location", location.id),
        {"name": location.name, "kind": location.kind.value},
    )
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
    values, channel_ids = await _validated(session, location, given, location_id=location_id)
    changed = [api_name(name) for name, value in values.items() if getattr(location, name) != value]
    for name, value in values.items():
        setattr(location, name, value)
    if channel_ids is not None:
        current = [c.id for _, c in await channels.channels_of_locations(session, [location_id])]
        if sorted(current) != sorted(channel_ids):
            await channels.set_location_channels(session, location_id, channel_ids)
            changed.append("channels")
    if changed:
        await _flush_or_taken(session)
        await record_event(
            session,
            EventType.LOCATION_UPDATED,
            GlobalId("Location", location.id),
            {"changed": sorted(set(changed))},
        )
    return location


async def set_active(session: AsyncSession, *, location_id: int, active: bool) -> Location:
    """Activate or deactivate; asking for the state a location is already in changes nothing."""
    location = await _existing(session, location_id)
    if location.is_active != active:
        location.is_active = active
        await session.flush()
        await record_event(
            session,
            EventType.LOCATION_ACTIVATED if active else EventType.LOCATION_DEACTIVATED,
            GlobalId("Location", location.id),
            {},
        )
    return location


__all__ = ["ADDRESS_FIELDS", "LocationFields", "add_location", "edit_location", "set_active"]
