from __future__ import annotations

import enum
from dataclasses import fields
from typing import Annotated

import strawberry

from oms_graphql.graphql.common import address_input, given, refuse_nulls
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.locations.inputs import LocationAddInput, LocationEditInput
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.mutation import IdempotencyKey, mutate_row
from oms_graphql.graphql.node import GlobalIdArgument
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid
from oms_graphql.locations import repository, service
from oms_graphql.locations.service import LocationFields
from oms_graphql.unset import UNSET


@strawberry.enum(description="Why locationAdd refused its input.")
class LocationAddUserErrorCode(enum.Enum):
    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    TAKEN = "TAKEN"
    INVALID = "INVALID"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    CHANNEL_NOT_FOUND = "CHANNEL_NOT_FOUND"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of locationAdd.")
class LocationAddUserError(UserError[LocationAddUserErrorCode]):
    pass


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
    CHANNEL_NOT_FOUND = "CHANNEL_NOT_FOUND"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of locationEdit.")
class LocationEditUserError(UserError[LocationEditUserErrorCode]):
    pass


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
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with locationActivate.")
class LocationActivateUserError(UserError[LocationActivateUserErrorCode]):
    pass


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
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with locationDeactivate.")
class LocationDeactivateUserError(UserError[LocationDeactivateUserErrorCode]):
    pass


@strawberry.type(description="The result of locationDeactivate.")
class LocationDeactivatePayload:
    location: Location | None = strawberry.field(
        description="The location, now inactive; null when there are userErrors."
    )
    user_errors: list[LocationDeactivateUserError] = strawberry.field(
        description="Problems; when present, nothing was written."
    )


def _location_fields(data: LocationAddInput | LocationEditInput) -> LocationFields:
    refuse_nulls(
        data,
        text=("name",),
        other=("kind", "address", "fulfills_online_orders", "pickup_enabled", "priority"),
    )
    values = {f.name: given(getattr(data, f.name)) for f in fields(LocationFields)}
    if values["address"] is not UNSET:
        values["address"] = address_input(values["address"])
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
        idempotency_key: IdempotencyKey = None,
    ) -> LocationAddPayload:
        return await mutate_row(
            info,
            LocationAddPayload,
            LocationAddUserError,
            operation="locationAdd",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: service.add_location(session, given=_location_fields(input)),
            get=repository.get,
            present=Location.from_model,
        )

    @strawberry.mutation(
        description="Change a location's name, address, flags, priority, capacity or channels.",
        extensions=requires("write_locations"),
    )
    async def location_edit(
        self,
        info: Info,
        id: GlobalIdArgument,
        input: Annotated[LocationEditInput, strawberry.argument(description="What to change.")],
        idempotency_key: IdempotencyKey = None,
    ) -> LocationEditPayload:
        location_id = decode_gid(id, expected="Location").pk
        return await mutate_row(
            info,
            LocationEditPayload,
            LocationEditUserError,
            operation="locationEdit",
            arguments={"id": id, "input": input},
            idempotency_key=idempotency_key,
            action=lambda session: service.edit_location(
                session, location_id=location_id, given=_location_fields(input)
            ),
            get=repository.get,
            present=Location.from_model,
        )

    @strawberry.mutation(
        description="Activate a location so that routing may use it again.",
        extensions=requires("write_locations"),
    )
    async def location_activate(
        self, info: Info, id: GlobalIdArgument, idempotency_key: IdempotencyKey = None
    ) -> LocationActivatePayload:
        location_id = decode_gid(id, expected="Location").pk
        return await mutate_row(
            info,
            LocationActivatePayload,
            LocationActivateUserError,
            operation="locationActivate",
            arguments={"id": id},
            idempotency_key=idempotency_key,
            action=lambda session: service.set_active(
                session, location_id=location_id, active=True
            ),
            get=repository.get,
            present=Location.from_model,
        )

    @strawberry.mutation(
        description="Deactivate a location: it keeps its history but takes no new work.",
        extensions=requires("write_locations"),
    )
    async def location_deactivate(
        self, info: Info, id: GlobalIdArgument, idempotency_key: IdempotencyKey = None
    ) -> LocationDeactivatePayload:
        location_id = decode_gid(id, expected="Location").pk
        return await mutate_row(
            info,
            LocationDeactivatePayload,
            LocationDeactivateUserError,
            operation="locationDeactivate",
            arguments={"id": id},
            idempotency_key=idempotency_key,
            action=lambda session: service.set_active(
                session, location_id=location_id, active=False
            ),
            get=repository.get,
            present=Location.from_model,
        )
