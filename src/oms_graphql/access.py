"""Which order-owned rows a caller may see: the one place partner and customer isolation is
enforced.

Every session a request opens carries the caller's ``Access`` (``Database.for_access``), and
one ``do_orm_execute`` listener adds ``with_loader_criteria`` for every entity in
``ORDER_OWNED`` (and for events) to each ORM SELECT, UPDATE and DELETE that session runs:
root lists, counts, ``node`` lookups, nested connections, dataloader batches, row locks of
mutations, joins and subqueries alike. Resolvers and services never filter by channel
themselves: a row outside the caller's access simply does not exist for them.

Not covered, by design: Core statements on ``Table`` objects (the event relay's reads,
which run unrestricted and filter through ``EventFilter.matches``; the subscription replay
adds ``events_visible`` explicitly) and INSERTs. Internal aggregates that must see every
row whoever triggers them (next order number, location capacity, sort-name upkeep) say so
with ``ALL_ROWS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, event, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, ORMExecuteState, Session, with_loader_criteria

from oms_graphql.auth.principal import Principal
from oms_graphql.db import ACCESS_KEY
from oms_graphql.models import (
    Channel,
    DiscountAllocation,
    DiscountApplication,
    DraftOrder,
    DraftOrderLine,
    DraftOrderTag,
    Event,
    ExchangeLine,
    Fulfillment,
    FulfillmentEvent,
    FulfillmentHold,
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    Order,
    OrderEdit,
    OrderEditLine,
    OrderLine,
    OrderTag,
    OrderTransaction,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    ReverseDelivery,
    ReverseDeliveryLine,
    ReverseDisposition,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLine,
    RoutingDecision,
    ShippingLine,
)

ALL_ROWS = {"oms_all_rows": True}
"""Execution options of an internal statement that must see every row whoever runs it."""


@dataclass(frozen=True, slots=True)
class Access:
    """What one caller may see of orders and everything they own.

    ``channels``: only orders (and drafts, events) of these channel handles; ``email``: only
    orders whose email is this one (customer tokens); ``no_orders``: none at all
    (storefronts, anonymous callers). The limits add up.
    """

    channels: frozenset[str] | None = None
    email: str | None = None
    no_orders: bool = False

    @property
    def is_restricted(self) -> bool:
        return self.no_orders or self.channels is not None or self.email is not None

    @classmethod
    def of(cls, principal: Principal) -> Access:
        """A caller's access from its token: a ``customer`` token is held to its email,
        ``channels`` limit partners, callers without a staff scope see no orders."""
        if "customer" in principal.scopes:
            return cls(channels=principal.channels, email=(principal.email or "").strip())
        staff = principal.scopes - {"storefront", "customer"}
        if not principal.is_authenticated or not staff:
            return cls(no_orders=True)
        return cls(channels=principal.channels)

    def may_place_in(self, handle: str) -> bool:
        """Whether new orders and drafts may be placed in this channel."""
        return not self.no_orders and (self.channels is None or handle in self.channels)

    @property
    def event_channels(self) -> frozenset[str] | None:
        """The channels whose events this caller sees besides those of no channel (None:
        every channel); customers and storefronts see only events of no channel. The one
        rule behind ``sees_channel`` (live events) and ``events_visible`` (SQL)."""
        if self.no_orders or self.email is not None:
            return frozenset()
        return self.channels

    def sees_channel(self, handle: str | None) -> bool:
        """Whether an event of this channel (None: of no channel, e.g. inventory) is visible."""
        channels = self.event_channels
        return handle is None or channels is None or handle in channels


UNRESTRICTED = Access()
"""Internal work: relay, sweeper, demo seed, command line."""


def access_of(session: AsyncSession | Session) -> Access:
    """The access a session was opened with (unrestricted for internal work)."""
    access = session.info.get(ACCESS_KEY)
    return UNRESTRICTED if access is None else access


# --- the SQL of an access -----------------------------------------------------------------


def _in_channels(
    column: InstrumentedAttribute[int], channels: frozenset[str]
) -> ColumnElement[bool]:
    return column.in_(select(Channel.id).where(Channel.handle.in_(sorted(channels))))


def orders_visible(access: Access) -> ColumnElement[bool]:
    """The orders ``access`` sees."""
    if access.no_orders or access.email == "":
        return false()
    conditions: list[ColumnElement[bool]] = []
    if access.channels is not None:
        conditions.append(_in_channels(Order.channel_id, access.channels))
    if access.email is not None:
        conditions.append(func.lower(Order.email) == access.email.lower())
    return and_(true(), *conditions)


def drafts_visible(access: Access) -> ColumnElement[bool]:
    """Draft orders belong to staff and partners: by channel, never to customers."""
    if access.no_orders or access.email is not None:
        return false()
    if access.channels is None:
        return true()
    return _in_channels(DraftOrder.channel_id, access.channels)


def events_visible(access: Access) -> ColumnElement[bool]:
    """The events ``access`` sees (the SQL form of ``Access.sees_channel``)."""
    channels = access.event_channels
    if channels is None:
        return true()
    if not channels:
        return Event.channel.is_(None)
    return or_(Event.channel.is_(None), Event.channel.in_(sorted(channels)))


ORDER_OWNED: dict[type[Any], InstrumentedAttribute[int]] = {
    # entity: the column naming its owner (an order, or another entity of this table).
    OrderLine: OrderLine.order_id,
    OrderTag: OrderTag.order_id,
    ShippingLine: ShippingLine.order_id,
    DiscountApplication: DiscountApplication.order_id,
    DiscountAllocation: DiscountAllocation.line_id,
    OrderTransaction: OrderTransaction.order_id,
    RoutingDecision: RoutingDecision.order_id,
    FulfillmentOrder: FulfillmentOrder.order_id,
    FulfillmentOrderLine: FulfillmentOrderLine.fulfillment_order_id,
    FulfillmentHold: FulfillmentHold.fulfillment_order_id,
    Fulfillment: Fulfillment.order_id,
    FulfillmentLine: FulfillmentLine.fulfillment_id,
    FulfillmentEvent: FulfillmentEvent.fulfillment_id,
    OrderEdit: OrderEdit.order_id,
    OrderEditLine: OrderEditLine.edit_id,
    Return: Return.order_id,
    ReturnLine: ReturnLine.return_id,
    ReverseFulfillmentOrder: ReverseFulfillmentOrder.order_id,
    ReverseFulfillmentOrderLine: ReverseFulfillmentOrderLine.reverse_fulfillment_order_id,
    ReverseDisposition: ReverseDisposition.line_id,
    ReverseDelivery: ReverseDelivery.reverse_fulfillment_order_id,
    ReverseDeliveryLine: ReverseDeliveryLine.reverse_delivery_id,
    Refund: Refund.order_id,
    RefundLine: RefundLine.refund_id,
    ExchangeLine: ExchangeLine.return_id,
    DraftOrderLine: DraftOrderLine.draft_order_id,
    DraftOrderTag: DraftOrderTag.draft_order_id,
}
"""Rows that belong to an order (or draft): adding an entity is one line here."""

_ROOTS: dict[type[Any], Callable[[Access], ColumnElement[bool]]] = {
    Order: orders_visible,
    DraftOrder: drafts_visible,
    Event: events_visible,
}
FILTERED: tuple[type[Any], ...] = (*_ROOTS, *ORDER_OWNED)
"""Every entity the listener filters."""


def _owner(column: InstrumentedAttribute[int]) -> type[Any]:
    (foreign_key,) = column.property.columns[0].foreign_keys
    target = foreign_key.column.table
    for entity in FILTERED:
        if entity.__table__ is target:
            return entity
    raise LookupError(f"{column} points at {target.name}, which is neither an order nor owned")


def _criterion(entity: type[Any], access: Access) -> ColumnElement[bool]:
    root = _ROOTS.get(entity)
    if root is not None:
        return root(access)
    column = ORDER_OWNED[entity]
    owner = _owner(column)
    # No condition on the owner here: loader criteria reach every occurrence of an entity,
    # subqueries included, so the owner's own criterion applies inside (written out here
    # as well, it would repeat once per level). Correlated EXISTS rather than
    # ``IN (SELECT owner.id ...)``: SQLite builds the IN list from every visible owner
    # (10,000 orders for a page of 1,000 lines), EXISTS looks up each row's owner by key.
    return select(owner.id).where(owner.id == column).correlate_except(owner).exists()


@lru_cache(maxsize=512)
def criteria(access: Access) -> tuple[Any, ...]:
    """The loader criteria of one access (built once per distinct access)."""
    return tuple(
        with_loader_criteria(entity, _criterion(entity, access), include_aliases=True)
        for entity in FILTERED
    )


@event.listens_for(Session, "do_orm_execute")
def _restrict(state: ORMExecuteState) -> None:
    access = state.session.info.get(ACCESS_KEY)
    if access is None or not access.is_restricted:
        return
    if state.execution_options.get("oms_all_rows"):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*criteria(access))
