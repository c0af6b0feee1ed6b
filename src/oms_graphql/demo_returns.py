"""Demo returns, made through the services like everything else: some shipped, paid orders
come back in part, one story per order taken in turn, so that every return status shows
(REQUESTED, OPEN, DECLINED, CLOSED, CANCELLED), with labels and tracking, every kind of
disposition (restocked, damaged, quality control, not restocked, missing), refunds of what
came back and an exchange. No new orders: the order numbers of the demo stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.currencies import MINOR_UNITS
from oms_graphql.errors import DomainError
from oms_graphql.fulfillment import repository as fulfillment
from oms_graphql.models import (
    DispositionType,
    OrderStatus,
    RestockType,
    ReturnDeclineReason,
    ReturnReason,
)
from oms_graphql.orders import repository as orders
from oms_graphql.paging import PageRequest
from oms_graphql.returns import logistics, refunds, repository, service
from oms_graphql.returns.exchanges import ItemToExchange

STORIES = (
    "requested",
    "restocked and refunded",
    "declined",
    "labelled",
    "damaged and in quality control, refunded",
    "cancelled",
    "partly received",
    "exchanged",
    "approved",
    "not restocked and missing, refunded",
)
"""What happens to each demo return, in turn (in the order of the orders, newest first)."""
TWO_UNITS = {
    "damaged and in quality control, refunded",
    "partly received",
    "not restocked and missing, refunded",
}
"""Stories that split a line's units: they skip orders whose lines have one unit."""
CARRIERS = (("BRT", "https://vas.brt.it/vas/sped_det_show.hsm?Nspediz={}"), ("DHL", None))
REASONS = (
    (ReturnReason.SIZE_TOO_SMALL, "Fits small, I need the next size"),
    (ReturnReason.DEFECTIVE, "Seam came apart after one wash"),
    (ReturnReason.NOT_AS_DESCRIBED, None),
    (ReturnReason.UNWANTED, "Changed my mind"),
    (ReturnReason.COLOR, "The blue is darker than in the photos"),
)


def steps() -> int:
    """How often ``load_demo_returns`` calls ``advance``."""
    return len(STORIES)


@dataclass(frozen=True, slots=True)
class _Shipped:
    """A shipped line of an order that can come back: units, where it left from, its SKU."""

    fulfillment_line_id: int
    order_line_id: int
    quantity: int
    location_id: int
    sku: str | None


async def _returnable(session: AsyncSession, order_id: int) -> list[_Shipped]:
    found = [entry for entry in await service.returnable(session, order_id) if entry.quantity]
    if not found:
        return []
    shipments = {
        row.id: row
        for row in await fulfillment.fulfillments_by_id(
            session, sorted({entry.line.fulfillment_id for entry in found})
        )
    }
    lines = {
        line.id: line
        for line in await orders.order_lines_by_id(
            session, [entry.line.order_line_id for entry in found]
        )
    }
    return [
        _Shipped(
            entry.line.id,
            entry.line.order_line_id,
            entry.quantity,
            shipments[entry.line.fulfillment_id].location_id,
            lines[entry.line.order_line_id].sku,
        )
        for entry in found
    ]


async def _refund_returned(
    session: AsyncSession, order_id: int, shipped: _Shipped, units: int
) -> None:
    """Pay back the received units with the money the refund suggests."""
    wanted = refunds.RefundRequest(
        order_id, [refunds.LineToRefund(shipped.order_line_id, units, RestockType.RETURN)]
    )
    order = await orders.get(session, order_id)
    assert order is not None
    plan = await refunds.suggest(session, order, wanted)
    # The plan's amounts carry the stored scale; a transaction takes whole minor units.
    cent = Decimal(1).scaleb(-MINOR_UNITS[order.currency_code])
    await refunds.create(
        session,
        refunds.RefundRequest(
            order_id,
            wanted.lines,
            note="Refund for the returned items",
            transactions=[
                refunds.MoneyBack(parent_id, amount.quantize(cent), order.currency_code)
                for parent_id, amount in plan.suggested_transactions()
            ],
        ),
    )


async def _tell(session: AsyncSession, story: str, order_id: int, index: int) -> bool:
    """Play ``story`` on the order; False when the order has nothing it fits."""
    lines = await _returnable(session, order_id)
    if not lines:
        return False
    shipped = lines[0]
    units = shipped.quantity if story != "partly received" else min(shipped.quantity, 2)
    if story in TWO_UNITS and units < 2:
        return False
    reason, note = REASONS[index % len(REASONS)]
    given = service.NewReturn(
        order_id,
        [service.LineToReturn(shipped.fulfillment_line_id, units, reason, note)],
        [ItemToExchange(shipped.sku, 1)] if story == "exchanged" and shipped.sku else (),
    )
    if story in ("requested", "declined", "cancelled", "approved"):
        row = await service.request_return(session, given=given)
        if story == "declined":
            await service.decline(
                session,
                row.id,
                reason=ReturnDeclineReason.RETURN_PERIOD_ENDED,
                note="Returns are accepted within 30 days of delivery",
            )
        elif story == "cancelled":
            await service.cancel(session, row.id)
        elif story == "approved":
            await service.approve(session, row.id)
        if story != "approved":
            return True
    else:
        row = await service.create_return(session, given=given)
    if story in ("requested", "approved"):
        return True
    (work,) = await repository.reverse_fulfillment_orders_of(session, [row.id])
    company, url = CARRIERS[index % len(CARRIERS)]
    number = f"RT{order_id:07d}"
    await logistics.create_delivery(
        session,
        reverse_fulfillment_order_id=work.id,
        lines=None,
        shipping=logistics.Shipping(
            company,
            number,
            url.format(number) if url else None,
            f"https://labels.example/{number}.pdf",
        ),
    )
    if story == "labelled":
        return True
    (line,) = await repository.rfo_lines_of(session, [work.id])
    here = shipped.location_id
    if story in ("restocked and refunded", "exchanged"):
        received = [logistics.Disposal(line.id, units, DispositionType.RESTOCKED, here)]
    elif story == "damaged and in quality control, refunded":
        received = [
            logistics.Disposal(line.id, 1, DispositionType.DAMAGED, here),
            logistics.Disposal(line.id, units - 1, DispositionType.PROCESSING_REQUIRED, here),
        ]
    elif story == "partly received":
        received = [logistics.Disposal(line.id, 1, DispositionType.RESTOCKED, here)]
    else:
        received = [
            logistics.Disposal(line.id, 1, DispositionType.NOT_RESTOCKED),
            logistics.Disposal(line.id, units - 1, DispositionType.MISSING),
        ]
    await logistics.dispose(session, given=received)
    if story == "partly received":
        return True
    if story.endswith("refunded"):
        await _refund_returned(session, order_id, shipped, units)
    await service.close(session, row.id)
    return True


async def load_demo_returns(session: AsyncSession, *, advance: Callable[[], None]) -> int:
    """Returns of the newest paid, fulfilled orders (in the caller's transaction), one
    story each; the number made."""
    page = await orders.LISTING.page(
        session,
        request=PageRequest(first=80),
        query="financial_status:paid fulfillment_status:fulfilled",
        sort_key="CREATED_AT",
        # Newest first: returns follow recent deliveries, and #1001 (the README's return
        # example) stays without one.
        reverse=True,
    )
    candidates = [row.id for _, row in page.edges if row.status is not OrderStatus.CANCELLED]
    made = 0
    for index, story in enumerate(STORIES):
        while candidates:
            order_id = candidates.pop(0)
            try:
                async with session.begin_nested():
                    told = await _tell(session, story, order_id, index)
            except DomainError:
                continue  # the services refused (say, no stock for the exchange): next order
            if told:
                made += 1
                break
        advance()
    return made
