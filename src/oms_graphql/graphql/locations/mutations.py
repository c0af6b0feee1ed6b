from __future__ import annotations

import enum
from dataclasses import fields
from typing import Annotated, Any

import strawberry

from oms_graphql.errors import DomainError, Problem
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import DisplayableError, transact, user_errors
from oms_graphql.graphql.locations.inputs import (
    LocationAddInput,
    LocationAddressInput,
    LocationEditInput,
)
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid
from oms_graphql.locations import service
from oms_graphql.locations.service import LocationAddress, LocationFields
from oms_graphql.unset import UNSET


@strawberry.enum(description="Why locationAdd refused its input.")
class LocationAddUserErrorCode(enum.Enum):
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    TAKEN = "TAKEN"
    INVALID = "INVALID"
    OUT_OF_RANGE = "OUT_OF_RANGE"


@strawberry.type(description="A problem with the input of locationAdd.")
class LocationAddUserError(DisplayableError):
    code: LocationAddUserErrorCode | None = strawberry.field(description="What kind of problem.")


@strawberry.type(description="The result of locationAdd.")
class LocationAddPayload:
    location: Location | None = strawberry.field(
        description="The new location; null when there are userErrors."
    )
    user_errors: list[LocationAddUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


@strawberry.enum(description="Why locationEdit refused its input.")
class LocationEditUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    TAKEN = "TAKEN"
    INVALID = "INVALID"
    OUT_OF_RANGE = "OUT_OF_RANGE"


@strawberry.type(description="A problem with the input of locationEdit.")
class LocationEditUserError(DisplayableError):
    code: LocationEditUserErrorCode | None = strawberry.field(description="What kind of problem.")


@strawberry.type(description="The result of locationEdit.")
class LocationEditPayload:
    location: Location | None = strawberry.field(
        description="The edited location; null when there are userErrors."
    )
    user_errors: list[LocationEditUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


@strawberry.enum(description="Why locationActivate refused.")
class LocationActivateUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"


@strawberry.type(description="A problem with locationActivate.")
class LocationActivateUserError(DisplayableError):
    code: LocationActivateUserErrorCode | None = strawberry.field(
        description="What kind of problem."
    )


@strawberry.type(description="The result of locationActivate.")
class LocationActivatePayload:
    location: Location | None = strawberry.field(
        description="The location, now active; null when there are userErrors."
    )
    user_errors: list[LocationActivateUserError] = strawberry.field(
        description="Problems; when present, nothing was written."
    )


@strawberry.enum(description="Why locationDeactivate refused.")
class LocationDeactivateUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"


@strawberry.type(description="A problem with locationDeactivate.")
class LocationDeactivateUserError(DisplayableError):
    code: LocationDeactivateUserErrorCode | None = strawberry.field(
        description="What kind of problem."
    )


@strawberry.type(description="The result of locationDeactivate.")
class LocationDeactivatePayload:
    location: Location | None = strawberry.field(
        description="The location, now inactive; null when there are userErrors."
    )
    user_errors: list[LocationDeactivateUserError] = strawberry.field(
        description="Problems; when present, nothing was written."
    )


_CAMEL = {
    "fulfills_online_orders": "fulfillsOnlineOrders",
    "pickup_enabled": "pickupEnabled",
    "daily_order_capacity": "dailyOrderCapacity",
    "country_code": "countryCode",
}


def _given(value: Any) -> Any:
    return UNSET if value is strawberry.UNSET else value


def _address(data: LocationAddressInput) -> LocationAddress:
    return LocationAddress(
        **{f.name: _given(getattr(data, f.name)) for f in fields(LocationAddress)}
    )


def _location_fields(data: LocationAddInput | LocationEditInput) -> LocationFields:
    """Input -> service fields; an explicit null where a value is required is a userError."""
    problems = []
    values: dict[str, Any] = {}
    for f in fields(LocationFields):
        value = _given(getattr(data, f.name))
        if value is None and f.name != "daily_order_capacity":
            name = _CAMEL.get(f.name, f.name)
            code = "BLANK" if f.name == "name" else "INVALID"
            problems.append(Problem(code, f"{name} can't be null", ("input", name)))
        elif f.name == "address" and value is not UNSET:
            values["address"] = _address(value)
        else:
            values[f.name] = value
    if problems:
        raise DomainError(problems)
    return LocationFields(**values)


@strawberry.type
class LocationMutations:
    @strawberry.mutation(
        description="Add a location (warehouse, store or fulfillment service).",
        extensions=requires("write_locations"),
    )
    async def location_add(
        self,
        info: Info,
        input: Annotated[LocationAddInput, strawberry.argument(description="The new location.")],
    ) -> LocationAddPayload:
        outcome = await transact(
            info, lambda session: service.add_location(session, given=_location_fields(input))
        )
        if isinstance(outcome, DomainError):
            return LocationAddPayload(
                location=None,
                user_errors=user_errors(outcome, LocationAddUserError, LocationAddUserErrorCode),
            )
        return LocationAddPayload(location=Location.from_model(outcome), user_errors=[])

    @strawberry.mutation(
        description="Change a location's name, address, flags, priority or capacity.",
        extensions=requires("write_locations"),
    )
    async def location_edit(
        self,
        info: Info,
        id: GlobalIdArgument,
        input: Annotated[LocationEditInput, strawberry.argument(description="What to change.")],
    ) -> LocationEditPayload:
        location_id = decode_gid(id, expected="Location").pk
        outcome = await transact(
            info,
            lambda session: service.edit_location(
                session, location_id=location_id, given=_location_fields(input)
            ),
        )
        if isinstance(outcome, DomainError):
            return LocationEditPayload(
                location=None,
                user_errors=user_errors(outcome, LocationEditUserError, LocationEditUserErrorCode),
            )
        return LocationEditPayload(location=Location.from_model(outcome), user_errors=[])

    @strawberry.mutation(
        description="Activate a location so that routing may use it again.",
        extensions=requires("write_locations"),
    )
    async def location_activate(self, info: Info, id: GlobalIdArgument) -> LocationActivatePayload:
        location_id = decode_gid(id, expected="Location").pk
        outcome = await transact(
            info, lambda session: service.set_active(session, location_id=location_id, active=True)
        )
        if isinstance(outcome, DomainError):
            return LocationActivatePayload(
                location=None,
                user_errors=user_errors(
                    outcome, LocationActivateUserError, LocationActivateUserErrorCode
                ),
            )
        return LocationActivatePayload(location=Location.from_model(outcome), user_errors=[])

    @strawberry.mutation(
        description="Deactivate a location: it keeps its history but takes no new work.",
        extensions=requires("write_locations"),
    )
    async def location_deactivate(
        self, info: Info, id: GlobalIdArgument
    ) -> LocationDeactivatePayload:
        location_id = decode_gid(id, expected="Location").pk
        outcome = await transact(
            info,
            lambda session: service.set_active(session, location_id=location_id, active=False),
        )
        if isinstance(outcome, DomainError):
            return LocationDeactivatePayload(
                location=None,
                user_errors=user_errors(
                    outcome, LocationDeactivateUserError, LocationDeactivateUserErrorCode
                ),
            )
        return LocationDeactivatePayload(location=Location.from_model(outcome), user_errors=[])
