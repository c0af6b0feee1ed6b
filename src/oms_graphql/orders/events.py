"""Events about orders, carrying the order's channel for channel-limited readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId
from oms_graphql.models import Channel, FinancialStatus, FulfillmentStatus, Order, OrderStatus


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


async def channel_handle(session: AsyncSession, order: Order) -> str:
    channel = await session.get(Channel, order.channel_id)
    assert channel is not None
    return channel.handle


async def record_order_event(
    session: AsyncSession, type: EventType, order: Order, data: dict[str, Any]
) -> None:
    await record_event(
        session,
        type,
        GlobalId("Order", order.id),
        {"name": order.name, **data},
        channel=await channel_handle(session, order),
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
