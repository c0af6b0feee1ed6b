"""Per-operation DataLoaders; each batch opens its own short session and runs one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from oms_graphql import models
from oms_graphql.channels import repository as channels
from oms_graphql.customers import repository as customers
from oms_graphql.db import Database
from oms_graphql.draft_orders import repository as drafts
from oms_graphql.fulfillment import repository as fulfillment
from oms_graphql.inventory import repository as inventory
from oms_graphql.inventory import reservation_repository as reservations
from oms_graphql.inventory import transfer_repository as transfers
from oms_graphql.inventory.repository import LevelState
from oms_graphql.orders import repository as orders
from oms_graphql.paging import Nested
from oms_graphql.returns import refund_repository as refunds
from oms_graphql.returns import repository as returns
from oms_graphql.rows import by_id

R = TypeVar("R")


class Loaders:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._first_pages: dict[Nested[Any], DataLoader[tuple[int, int], list[Any]]] = {}

    def first_pages(self, children: Nested[R]) -> DataLoader[tuple[int, int], list[R]]:
        """First pages (``size + 1`` rows) of a nested list for many parents: one statement
        per page size asked, one loader per list declaration."""
        loader = self._first_pages.get(children)
        if loader is None:
            loader = self._first_pages[children] = self._first_pages_of(children)
        return loader

    def _by_id(self, model: type[R]) -> DataLoader[int, R | None]:
        """Rows of one model by id, in one statement per batch."""
        return self._keyed(lambda session, ids: by_id(session, model, ids))

    def _keyed(
        self, fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[R]]]
    ) -> DataLoader[int, R | None]:
        async def load(ids: Sequence[int]) -> list[R | None]:
            async with self._database.reading() as session:
                found = {row.id: row for row in await fetch(session, ids)}  # type: ignore[attr-defined]
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def location(self) -> DataLoader[int, models.Location | None]:
        return self._by_id(models.Location)

    @cached_property
    def fulfillment(self) -> DataLoader[int, models.Fulfillment | None]:
        return self._by_id(models.Fulfillment)

    @cached_property
    def fulfillment_line(self) -> DataLoader[int, models.FulfillmentLine | None]:
        return self._by_id(models.FulfillmentLine)

    @cached_property
    def fulfillments_of_order(self) -> DataLoader[int, list[models.Fulfillment]]:
        return self._grouped(fulfillment.fulfillments_of_orders, lambda row: row.order_id)

    @cached_property
    def fulfillment_lines(self) -> DataLoader[int, list[models.FulfillmentLine]]:
        return self._grouped(fulfillment.fulfillment_lines_of, lambda row: row.fulfillment_id)

    @cached_property
    def fulfillment_events(self) -> DataLoader[int, list[models.FulfillmentEvent]]:
        return self._grouped(fulfillment.fulfillment_events_of, lambda row: row.fulfillment_id)

    @cached_property
    def active_holds(self) -> DataLoader[int, list[models.FulfillmentHold]]:
        return self._grouped(fulfillment.active_holds_of, lambda row: row.fulfillment_order_id)

    @cached_property
    def decision_location(self) -> DataLoader[int, models.Location | None]:
        """Locations named by routing decisions: a loader of their own, so that a list
        costs one statement for them whenever the order's other locations load."""
        return self._by_id(models.Location)

    @cached_property
    def routing_decision(self) -> DataLoader[int, models.RoutingDecision | None]:
        return self._by_id(models.RoutingDecision)

    @cached_property
    def latest_routing_decision(self) -> DataLoader[int, models.RoutingDecision | None]:
        """An order's most recent routing decision, by order id."""

        async def load(order_ids: Sequence[int]) -> list[models.RoutingDecision | None]:
            async with self._database.reading() as session:
                rows = await fulfillment.latest_decisions_of_orders(session, order_ids)
            found = {row.order_id: row for row in rows}
            return [found.get(i) for i in order_ids]

        return DataLoader(load_fn=load)

    @cached_property
    def channel(self) -> DataLoader[int, models.Channel | None]:
        return self._by_id(models.Channel)

    @cached_property
    def customer(self) -> DataLoader[int, models.Customer | None]:
        return self._by_id(models.Customer)

    @cached_property
    def channels_of_location(self) -> DataLoader[int, list[models.Channel]]:
        async def load(ids: Sequence[int]) -> list[list[models.Channel]]:
            async with self._database.reading() as session:
                pairs = await channels.channels_of_locations(session, ids)
            grouped: dict[int, list[models.Channel]] = defaultdict(list)
            for location_id, channel in pairs:
                grouped[location_id].append(channel)
            return [grouped.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def customer_tags(self) -> DataLoader[int, list[str]]:
        async def load(ids: Sequence[int]) -> list[list[str]]:
            async with self._database.reading() as session:
                tags = await customers.tags_of(session, ids)
            return [tags.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    def _grouped(
        self,
        fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[R]]],
        key: Callable[[R], int],
    ) -> DataLoader[int, list[R]]:
        """Many rows per parent id, in one statement per batch."""

        async def load(ids: Sequence[int]) -> list[list[R]]:
            async with self._database.reading() as session:
                rows = await fetch(session, ids)
            grouped: dict[int, list[R]] = defaultdict(list)
            for row in rows:
                grouped[key(row)].append(row)
            return [grouped.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    def _first_pages_of(self, children: Nested[R]) -> DataLoader[tuple[int, int], list[R]]:
        async def load(keys: Sequence[tuple[int, int]]) -> list[list[R]]:
            by_size: dict[int, list[int]] = defaultdict(list)
            for parent_id, size in keys:
                by_size[size].append(parent_id)
            found: dict[tuple[int, int], list[R]] = defaultdict(list)
            async with self._database.reading() as session:
                for size, parents in by_size.items():
                    for row in await children.first(session, parents, size):
                        found[(children.parent_of(row), size)].append(row)
            return [found.get(k, []) for k in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def inventory_item(self) -> DataLoader[int, models.InventoryItem | None]:
        return self._by_id(models.InventoryItem)

    @cached_property
    def inventory_level(self) -> DataLoader[int, LevelState | None]:
        return self._keyed(inventory.levels_by_id)

    @cached_property
    def total_available(self) -> DataLoader[int, int]:
        async def load(ids: Sequence[int]) -> list[int]:
            async with self._database.reading() as session:
                totals = await inventory.total_available(session, ids)
            return [totals.get(i, 0) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def adjustment_group(self) -> DataLoader[int, models.InventoryAdjustmentGroup | None]:
        return self._by_id(models.InventoryAdjustmentGroup)

    @cached_property
    def changes_of_group(self) -> DataLoader[int, list[models.InventoryChange]]:
        return self._grouped(inventory.changes_of_groups, lambda row: row.group_id)

    @cached_property
    def reservation(self) -> DataLoader[int, models.Reservation | None]:
        return self._by_id(models.Reservation)

    @cached_property
    def reservation_lines(self) -> DataLoader[int, list[models.ReservationLine]]:
        return self._grouped(reservations.lines_of, lambda row: row.reservation_id)

    @cached_property
    def transfer(self) -> DataLoader[int, models.InventoryTransfer | None]:
        return self._by_id(models.InventoryTransfer)

    @cached_property
    def transfer_lines(self) -> DataLoader[int, list[models.InventoryTransferLine]]:
        return self._grouped(transfers.lines_of, lambda row: row.transfer_id)

    @cached_property
    def order(self) -> DataLoader[int, models.Order | None]:
        return self._by_id(models.Order)

    @cached_property
    def order_line(self) -> DataLoader[int, models.OrderLine | None]:
        return self._by_id(models.OrderLine)

    @cached_property
    def shipping_lines(self) -> DataLoader[int, list[models.ShippingLine]]:
        return self._grouped(orders.shipping_lines_of, lambda row: row.order_id)

    @cached_property
    def discount_applications(self) -> DataLoader[int, list[models.DiscountApplication]]:
        return self._grouped(orders.discount_applications_of, lambda row: row.order_id)

    @cached_property
    def discount_allocations(self) -> DataLoader[int, list[models.DiscountAllocation]]:
        return self._grouped(orders.allocations_of_lines, lambda row: row.line_id)

    @cached_property
    def order_tags(self) -> DataLoader[int, list[str]]:
        async def load(ids: Sequence[int]) -> list[list[str]]:
            async with self._database.reading() as session:
                tags = await orders.tags_of(session, ids)
            return [tags.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def transactions(self) -> DataLoader[int, list[models.OrderTransaction]]:
        return self._grouped(orders.transactions_of, lambda row: row.order_id)

    @cached_property
    def fulfillment_order(self) -> DataLoader[int, models.FulfillmentOrder | None]:
        return self._by_id(models.FulfillmentOrder)

    @cached_property
    def tax_rate(self) -> DataLoader[int, models.TaxRate | None]:
        return self._by_id(models.TaxRate)

    @cached_property
    def transaction(self) -> DataLoader[int, models.OrderTransaction | None]:
        return self._by_id(models.OrderTransaction)

    @cached_property
    def fulfillment_order_line(self) -> DataLoader[int, models.FulfillmentOrderLine | None]:
        return self._by_id(models.FulfillmentOrderLine)

    @cached_property
    def draft_order(self) -> DataLoader[int, models.DraftOrder | None]:
        return self._by_id(models.DraftOrder)

    @cached_property
    def draft_order_line(self) -> DataLoader[int, models.DraftOrderLine | None]:
        return self._by_id(models.DraftOrderLine)

    @cached_property
    def draft_order_tags(self) -> DataLoader[int, list[str]]:
        async def load(ids: Sequence[int]) -> list[list[str]]:
            async with self._database.reading() as session:
                tags = await drafts.tags_of(session, ids)
            return [tags.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def return_(self) -> DataLoader[int, models.Return | None]:
        return self._by_id(models.Return)

    @cached_property
    def return_lines(self) -> DataLoader[int, list[models.ReturnLine]]:
        return self._grouped(returns.lines_of, lambda row: row.return_id)

    @cached_property
    def return_line(self) -> DataLoader[int, models.ReturnLine | None]:
        return self._by_id(models.ReturnLine)

    @cached_property
    def reverse_fulfillment_order(self) -> DataLoader[int, models.ReverseFulfillmentOrder | None]:
        return self._by_id(models.ReverseFulfillmentOrder)

    @cached_property
    def reverse_fulfillment_order_line(
        self,
    ) -> DataLoader[int, models.ReverseFulfillmentOrderLine | None]:
        return self._by_id(models.ReverseFulfillmentOrderLine)

    @cached_property
    def dispositions(self) -> DataLoader[int, list[models.ReverseDisposition]]:
        return self._grouped(returns.dispositions_of, lambda row: row.line_id)

    @cached_property
    def reverse_deliveries(self) -> DataLoader[int, list[models.ReverseDelivery]]:
        return self._grouped(returns.deliveries_of, lambda row: row.reverse_fulfillment_order_id)

    @cached_property
    def reverse_delivery_lines(self) -> DataLoader[int, list[models.ReverseDeliveryLine]]:
        return self._grouped(returns.delivery_lines_of, lambda row: row.reverse_delivery_id)

    @cached_property
    def reverse_delivery(self) -> DataLoader[int, models.ReverseDelivery | None]:
        return self._by_id(models.ReverseDelivery)

    @cached_property
    def refund(self) -> DataLoader[int, models.Refund | None]:
        return self._by_id(models.Refund)

    @cached_property
    def refunds_of_order(self) -> DataLoader[int, list[models.Refund]]:
        return self._grouped(refunds.refunds_of_orders, lambda row: row.order_id)

    @cached_property
    def refunds_of_return(self) -> DataLoader[int, list[models.Refund]]:
        return self._grouped(refunds.refunds_of_returns, lambda row: row.return_id or 0)

    @cached_property
    def refund_lines(self) -> DataLoader[int, list[models.RefundLine]]:
        return self._grouped(refunds.lines_of, lambda row: row.refund_id)

    @cached_property
    def refund_transactions(self) -> DataLoader[int, list[models.OrderTransaction]]:
        return self._grouped(refunds.transactions_of, lambda row: row.refund_id or 0)

    @cached_property
    def exchange_line(self) -> DataLoader[int, models.ExchangeLine | None]:
        return self._by_id(models.ExchangeLine)
