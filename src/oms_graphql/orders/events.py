"""Events about orders, carrying the order's channel for channel-limited readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId
from oms_graphql.models import FinancialStatus, FulfillmentStatus, Order, OrderStatus
from oms_graphql.orders import repository


@dataclass(frozen=True, slots=True)
class Statuses:
    status: OrderStatus
    financial: FinancialStatus
    fulfillment: FulfillmentStatus

    @classmethod
    def of(cls, order: Order) -> Statuses:
        return cls(order.status, order.financial_status, order.fulfillment_status)

    def as_data(self) -> dict[str, str]:
        return {
            "status": self.status.value,
            "displayFinancialStatus": self.financial.value,
            "displayFulfillmentStatus": self.fulfillment.value,
        }


async def record_order_event(
    session: AsyncSession, type: EventType, order: Order, data: dict[str, Any]
) -> None:
    await record_event(
        session,
        type,
        GlobalId("Order", order.id),
        {"name": order.name, **data},
        channel=(await repository.channel_of(session, order)).handle,
    )


async def record_status_change(session: AsyncSession, order: Order, before: Statuses) -> None:
    """``order.status_changed`` when the status or a display status moved."""
    after = Statuses.of(order)
    if after != before:
        await record_order_event(
            session,
            EventType.ORDER_STATUS_CHANGED,
            order,
            {**after.as_data(), "previous": before.as_data()},
        )
