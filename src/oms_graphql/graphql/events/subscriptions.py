"""Live events: every subscription replays what a client missed (``after``), then goes on live.

Each event reaches a subscriber only if its token could read the event's subject with a
query: the same scopes, and for channel-limited tokens the same channels.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError

from oms_graphql.errors import BadUserInput
from oms_graphql.events import EventType
from oms_graphql.events import repository as events
from oms_graphql.events.bus import EventBus, EventFilter, EventRow, Position, SubscriberTooSlow
from oms_graphql.events.stream import follow
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.events.types import Event
from oms_graphql.graphql.inventory.queries import PublicLocation, public_location
from oms_graphql.graphql.node import readable_types
from oms_graphql.graphql.permissions import requires, requires_any
from oms_graphql.ids import decode_gid

MAX_FILTER_VALUES = 250

After = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Replay from this cursor (an event's `cursor`): every event after it, once and in "
            "order, then live ones. Without it, only events from now on."
        )
    ),
]


@dataclass(frozen=True, slots=True)
class SubscriptionStart:
    """The root value of a subscription: the bus position when the client subscribed, so an
    event committed while the subscription was being set up is not missed (None while the
    relay has not started)."""

    live_from: Position | None


def live_position(bus: EventBus) -> Position | None:
    return bus.position if bus.ready else None


def _bad_input(message: str, argument: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "argument": argument})


def _pk(raw: strawberry.ID | None, type_name: str, argument: str) -> int | None:
    if raw is None:
        return None
    try:
        return decode_gid(raw, expected=type_name).pk
    except BadUserInput as error:
        raise _bad_input(str(error), argument) from None


def _values(raw: Iterable[str] | None, argument: str) -> frozenset[str] | None:
    if raw is None:
        return None
    values = frozenset(raw)
    if len(values) > MAX_FILTER_VALUES:
        raise _bad_input(f"{argument}: at most {MAX_FILTER_VALUES} values", argument)
    return values


def _location_ids(raw: Iterable[strawberry.ID] | None, argument: str) -> frozenset[str] | None:
    """Location ids as events carry them (``data.locationId``), each one checked."""
    values = _values(raw, argument)
    for value in values or ():
        _pk(strawberry.ID(value), "Location", argument)
    return values


async def _start(info: Info, root: object, after: str | None) -> Position:
    if not info.context.runtime.bus.ready:
        raise GraphQLError(
            "live events are not available yet (the database is unreachable); try again",
            extensions={"code": "SERVICE_UNAVAILABLE"},
        )
    if after is None:
        if isinstance(root, SubscriptionStart) and root.live_from is not None:
            return root.live_from
        return info.context.runtime.bus.position
    try:
        position = events.position_at(after)
    except BadUserInput as error:
        raise _bad_input(str(error), "after") from None
    async with info.context.db.reading() as session:
        known = await events.exists_at(session, position)
    if not known:
        retention = info.context.runtime.settings.event_retention_days
        raise _bad_input(
            f"no event at this cursor: it never existed, or was pruned (events are kept "
            f"{retention} days); subscribe without after, or page the events feed",
            "after",
        )
    return position


async def _stream(
    info: Info, root: object, after: str | None, event_filter: EventFilter
) -> AsyncIterator[EventRow]:
    """Check the arguments now (a bad cursor is a clean error before any event), then follow."""
    start = await _start(info, root, after)
    runtime = info.context.runtime
    return follow(
        runtime.database,
        runtime.bus,
        event_filter,
        start=start,
        max_queued=runtime.settings.subscription_queue_size,
    )


def _access(info: Info, subject_types: Iterable[str], **narrowing: object) -> EventFilter:
    principal = info.context.principal
    readable = frozenset(readable_types(principal)) & frozenset(subject_types)
    return EventFilter(subject_types=readable, access=info.context.access, **narrowing)  # type: ignore[arg-type]


TOO_SLOW_CODE = "SUBSCRIBER_TOO_SLOW"
TOO_SLOW_MESSAGE = "subscriber too slow: resubscribe with after: <last cursor>"


class SubscriberTooSlowError(GraphQLError):
    """The end of a subscription that fell behind: expected, and resumable by cursor."""

    def __init__(self) -> None:
        super().__init__(TOO_SLOW_MESSAGE, extensions={"code": TOO_SLOW_CODE})


async def _as_events(info: Info, rows: AsyncIterator[EventRow]) -> AsyncIterator[Event]:
    try:
        async for row in rows:
            # A subscription lives long: what loaders cached for one event is stale for the
            # next.
            info.context.reset_loaders()
            yield Event.from_model(row)
    except SubscriberTooSlow:
        raise SubscriberTooSlowError() from None


@strawberry.type(description="A storefront's live view of one SKU at one location.")
class AvailabilityChange:
    sku: str = strawberry.field(description="The SKU.")
    location: PublicLocation = strawberry.field(description="Where availability changed.")
    available: int = strawberry.field(
        description="Units now available to sell there (never below 0)."
    )
    occurred_at: datetime = strawberry.field(description="When it changed.")


LEVEL_TYPES = frozenset(
    {
        EventType.INVENTORY_LEVEL_CHANGED.value,
        EventType.INVENTORY_LEVEL_ACTIVATED.value,
        EventType.INVENTORY_LOW_STOCK.value,
    }
)


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(
        description=(
            "Orders whose status, displayFinancialStatus or displayFulfillmentStatus changed "
            "(ORDER_STATUS_CHANGED events; `data` has the new and previous values)."
        ),
        extensions=requires("read_orders"),
    )
    async def order_status_changed(
        self,
        info: Info,
        order_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this order; every order you can read if null."),
        ] = None,
        after: After = None,
    ) -> AsyncIterator[Event]:
        event_filter = _access(
            info,
            ["Order"],
            types=frozenset({EventType.ORDER_STATUS_CHANGED.value}),
            subject_id=_pk(order_id, "Order", "orderId"),
        )
        return _as_events(info, await _stream(info, self, after, event_filter))

    @strawberry.subscription(
        description="Every event about orders you can read (order.*), in commit order.",
        extensions=requires("read_orders"),
    )
    async def order_events(
        self,
        info: Info,
        types: Annotated[
            list[EventType] | None, strawberry.argument(description="Only these types.")
        ] = None,
        after: After = None,
    ) -> AsyncIterator[Event]:
        event_filter = _access(
            info,
            ["Order"],
            types=frozenset(t.value for t in types) if types is not None else None,
        )
        return _as_events(info, await _stream(info, self, after, event_filter))

    @strawberry.subscription(
        description=(
            "Events about fulfillment orders and fulfillments (fulfillment_order.*, "
            "fulfillment.*), optionally at one location."
        ),
        extensions=requires("read_fulfillments"),
    )
    async def fulfillment_order_events(
        self,
        info: Info,
        location_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only work at this location."),
        ] = None,
        after: After = None,
    ) -> AsyncIterator[Event]:
        event_filter = _access(
            info,
            ["FulfillmentOrder", "Fulfillment"],
            location_ids=_location_ids([location_id] if location_id else None, "locationId"),
        )
        return _as_events(info, await _stream(info, self, after, event_filter))

    @strawberry.subscription(
        description=(
            "Inventory level changes (quantities after the change, deltas, reason), "
            "activations and low-stock warnings."
        ),
        extensions=requires("read_inventory"),
    )
    async def inventory_changed(
        self,
        info: Info,
        skus: Annotated[
            list[str] | None, strawberry.argument(description="Only these SKUs (at most 250).")
        ] = None,
        location_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only these locations (at most 250)."),
        ] = None,
        after: After = None,
    ) -> AsyncIterator[Event]:
        event_filter = _access(
            info,
            ["InventoryLevel"],
            types=LEVEL_TYPES,
            skus=_values(skus, "skus"),
            location_ids=_location_ids(location_ids, "locationIds"),
        )
        return _as_events(info, await _stream(info, self, after, event_filter))

    @strawberry.subscription(
        description=(
            "Storefront: available units of these SKUs per location, live from now on "
            "(no replay). Needs the storefront or read_inventory scope."
        ),
        extensions=requires_any("storefront", "read_inventory"),
    )
    async def availability_changed(
        self,
        info: Info,
        skus: Annotated[list[str], strawberry.argument(description="The SKUs, at most 250.")],
    ) -> AsyncIterator[AvailabilityChange]:
        # Storefront access reads public availability, not inventory events.
        event_filter = EventFilter(
            subject_types=frozenset({"InventoryLevel"}),
            types=frozenset({EventType.INVENTORY_LEVEL_CHANGED.value}),
            skus=_values(skus, "skus"),
        )
        return _availability(info, await _stream(info, self, None, event_filter))

    @strawberry.subscription(
        description="Events about returns you can read (return.*), in commit order.",
        extensions=requires("read_returns"),
    )
    async def return_events(self, info: Info, after: After = None) -> AsyncIterator[Event]:
        return _as_events(info, await _stream(info, self, after, _access(info, ["Return"])))


async def _availability(
    info: Info, rows: AsyncIterator[EventRow]
) -> AsyncIterator[AvailabilityChange]:
    try:
        async for change in _available(info, rows):
            yield change
    except SubscriberTooSlow:
        raise SubscriberTooSlowError() from None


async def _available(
    info: Info, rows: AsyncIterator[EventRow]
) -> AsyncIterator[AvailabilityChange]:
    async for row in rows:
        deltas = row.data.get("deltas", {})
        if "available" not in deltas:
            continue
        info.context.reset_loaders()
        location = await info.context.loaders.location.load(decode_gid(row.data["locationId"]).pk)
        # The locations the availability query lists: active, shipping or handing over.
        if location is None or not location.is_active:
            continue
        if not (location.fulfills_online_orders or location.pickup_enabled):
            continue
        yield AvailabilityChange(
            sku=row.data["sku"],
            location=public_location(location),
            available=max(0, int(row.data["quantities"]["available"])),
            occurred_at=row.occurred_at,
        )
