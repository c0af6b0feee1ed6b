"""Demo draft orders and order edits, made through the services like everything else.

Drafts: open ones (some holding stock until a few days from now, some with custom lines
and B2B discounts), invoiced ones (with their invoice links) and completed ones (turned
into orders, paid or payment pending). Edits: a few open orders had a line reduced (back
to stock), units added, or a goodwill discount, each committed as an ``order.edited``
event; one edit session is left open, uncommitted. Fixed seeds: every load is identical.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.addresses import AddressInput
from oms_graphql.customers.service import CustomerFields
from oms_graphql.db import utcnow
from oms_graphql.demo_inventory import demo_items
from oms_graphql.draft_orders import service as drafts
from oms_graphql.errors import DomainError
from oms_graphql.inventory.items import ItemFields
from oms_graphql.models import DiscountValueType, FulfillmentStatus, OrderStatus
from oms_graphql.orders import editing
from oms_graphql.orders import repository as orders
from oms_graphql.orders.inputs import CustomerRef, NewDiscount, NewLine, NewShippingLine
from oms_graphql.paging import PageRequest

SEED = 6
DRAFT_COUNT = 24
EDIT_COUNT = 8
INVOICE_BASE_URL = "http://127.0.0.1:8000"
"""Where ``serve --demo`` listens by default: the demo's invoice links point there."""
_CUSTOM_LINES = (
    ("Gift wrapping", Decimal("4.50")),
    ("Engraving", Decimal("12.00")),
    ("Express handling", Decimal("8.00")),
)


def steps() -> int:
    """How often ``load_demo_drafts`` and ``load_demo_edits`` call ``advance``."""
    return DRAFT_COUNT + EDIT_COUNT


def _catalog(items: Sequence[ItemFields]) -> list[str]:
    """The SKUs of tracked, priced items."""
    return [
        item.sku
        for item in items
        if isinstance(item.sku, str) and item.tracked is not False and item.unit_price
    ]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _draft(
    rng: random.Random, person: CustomerFields, catalog: Sequence[str], index: int
) -> drafts.DraftInput:
    picks = rng.sample(list(catalog), rng.choice((1, 2, 3)))
    lines = [NewLine(sku, rng.choice((1, 1, 2, 3))) for sku in picks]
    if index % 3 == 0:
        title, price = rng.choice(_CUSTOM_LINES)
        lines.append(NewLine(None, 1, price, title))
    b2b = index % 4 == 1
    if b2b:
        lines = [replace(line, quantity=line.quantity * 5) for line in lines]
    return drafts.DraftInput(
        channel="draft",
        lines=lines,
        customer=CustomerRef(
            _text(person.email) or "", _text(person.first_name), _text(person.last_name)
        ),
        shipping_address=(
            replace(address, first_name=_text(person.first_name), last_name=_text(person.last_name))
            if isinstance(address := person.default_address, AddressInput)
            else None
        ),
        shipping_line=NewShippingLine("Courier", Decimal("12.00")),
        discounts=(
            [NewDiscount(DiscountValueType.PERCENTAGE, Decimal(12), "B2B 12%")] if b2b else []
        ),
        tags=["b2b"] if b2b else ["phone"],
        note="Quote requested by phone" if not b2b else "Net 30; deliver to reception",
        reserve_inventory_until=(
            utcnow() + timedelta(days=rng.choice((2, 3, 5))) if index % 2 == 0 else None
        ),
    )


async def load_demo_drafts(
    session: AsyncSession, people: Sequence[CustomerFields], *, advance: Callable[[], None]
) -> int:
    """Create the demo drafts (in the caller's transaction): a third stay open, a third
    are invoiced, a third are completed into orders. The number created."""
    rng = random.Random(SEED)
    catalog = _catalog(demo_items())
    made = 0
    for index in range(DRAFT_COUNT):
        person = people[rng.randrange(len(people))]
        given = _draft(rng, person, catalog, index)
        stage = index % 3  # 0 open, 1 invoiced, 2 completed
        try:
            async with session.begin_nested():
                draft = await drafts.create_draft(session, given=given)
                if stage >= 1:
                    draft, _ = await drafts.send_invoice(
                        session, draft_id=draft.id, email=None, base_url=INVOICE_BASE_URL
                    )
                if stage == 2:
                    await drafts.complete(
                        session, draft_id=draft.id, payment_pending=index % 4 == 2
                    )
        except DomainError:
            pass  # not enough stock for this one: left out, its savepoint rolled back
        else:
            made += 1
        advance()
    return made


async def load_demo_edits(session: AsyncSession, *, advance: Callable[[], None]) -> int:
    """Edit a few open, unfulfilled orders (in the caller's transaction): a line reduced,
    units added, a goodwill discount; one session is left open. The number committed."""
    rng = random.Random(SEED + 1)
    page = await orders.LISTING.page(
        session,
        request=PageRequest(first=60),
        query=f"status:open fulfillment_status:{FulfillmentStatus.UNFULFILLED.value.lower()}",
        sort_key="CREATED_AT",
        reverse=True,
    )
    candidates = [row for _, row in page.edges if row.status is OrderStatus.OPEN]
    catalog = _catalog(demo_items())
    committed = 0
    for index, order in enumerate(candidates[:EDIT_COUNT]):
        try:
            async with session.begin_nested():
                view = await editing.begin(session, order_id=order.id)
                edit_id, first = view.edit.id, view.lines[0]
                kind = index % 3
                if kind == 0 and first.quantity > 1:
                    await editing.set_quantity(
                        session, edit_id=edit_id, line_id=first.id, quantity=first.quantity - 1
                    )
                elif kind != 2:
                    await editing.add_variant(
                        session, edit_id=edit_id, sku=rng.choice(catalog), quantity=1
                    )
                else:
                    await editing.add_line_discount(
                        session,
                        edit_id=edit_id,
                        line_id=first.id,
                        discount=NewDiscount(
                            DiscountValueType.PERCENTAGE, Decimal(15), "Goodwill: late delivery"
                        ),
                    )
                await editing.commit(
                    session, edit_id=edit_id, staff_note="Changed at the customer's request"
                )
        except DomainError:
            pass  # e.g. no stock for the added item: left as it was
        else:
            committed += 1
        advance()
    for _ in range(EDIT_COUNT - len(candidates[:EDIT_COUNT])):
        advance()
    # One session begun and abandoned: it changes nothing and expires in a day.
    for order in candidates[EDIT_COUNT:]:
        try:
            async with session.begin_nested():
                view = await editing.begin(session, order_id=order.id)
                await editing.set_quantity(
                    session, edit_id=view.edit.id, line_id=view.lines[0].id, quantity=0
                )
        except DomainError:
            continue
        break
    return committed
