"""All SQL about draft orders, their lines and tags."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.access import ALL_ROWS
from oms_graphql.db import LOCKED
from oms_graphql.errors import BadUserInput
from oms_graphql.listing import Listing
from oms_graphql.models import Channel, DraftOrder, DraftOrderLine, DraftOrderStatus, DraftOrderTag
from oms_graphql.paging import ChildList, SortKey
from oms_graphql.search import (
    SearchSpec,
    custom,
    enumeration,
    identifier,
    keyword,
    number,
    timestamp,
)

SORT_KEYS: dict[str, SortKey] = {
    "ID": SortKey("ID", DraftOrder.id),
    "NUMBER": SortKey("NUMBER", DraftOrder.number),
    "CREATED_AT": SortKey("CREATED_AT", DraftOrder.created_at),
    "UPDATED_AT": SortKey("UPDATED_AT", DraftOrder.updated_at),
    "TOTAL_PRICE": SortKey("TOTAL_PRICE", DraftOrder.total_price),
    "CUSTOMER_NAME": SortKey("CUSTOMER_NAME", DraftOrder.customer_sort_name, nullable=True),
    "STATUS": SortKey("STATUS", DraftOrder.status),
}


def _has_tag(op: str, tag: str) -> ColumnElement[bool]:
    return exists(
        select(DraftOrderTag.draft_order_id).where(
            DraftOrderTag.draft_order_id == DraftOrder.id,
            func.lower(DraftOrderTag.tag) == tag.lower(),
        )
    )


def _has_any_tag() -> ColumnElement[bool]:
    return exists(
        select(DraftOrderTag.draft_order_id).where(DraftOrderTag.draft_order_id == DraftOrder.id)
    )


_SKU = keyword(DraftOrderLine.sku, "")


def _has_sku(op: str, sku: str) -> ColumnElement[bool]:
    return exists(
        select(DraftOrderLine.id).where(
            DraftOrderLine.draft_order_id == DraftOrder.id, _SKU.build(op, sku)
        )
    )


def _in_channel(op: str, handle: str) -> ColumnElement[bool]:
    return DraftOrder.channel_id.in_(
        select(Channel.id).where(func.lower(Channel.handle) == handle.lower())
    )


def _by_name(op: str, value: str) -> ColumnElement[bool]:
    digits = value.upper().removeprefix("#").removeprefix("D")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise BadUserInput(f"{value!r} is not a draft order name such as #D12", value=value)
    return DraftOrder.number == int(digits)


SEARCH = SearchSpec(
    fields={
        "id": identifier(DraftOrder.id, "DraftOrder", "numeric or global id; >, < work"),
        "name": custom(_by_name, "draft name, e.g. #D12 (or D12, 12)"),
        "status": enumeration(
            DraftOrder.status, DraftOrderStatus, "open, invoice_sent or completed"
        ),
        "tag": custom(_has_tag, "has this tag (any case)", exists=_has_any_tag),
        "channel": custom(_in_channel, "handle of the channel the order will come from"),
        "email": keyword(DraftOrder.email, "exact email, or a prefix with *"),
        "sku": custom(_has_sku, "has a line with this SKU (or a prefix with *)"),
        "customer_id": identifier(DraftOrder.customer_id, "Customer", "numeric or global id"),
        "order_id": identifier(DraftOrder.order_id, "Order", "the order it was completed into"),
        "currency": keyword(DraftOrder.currency_code, "currency code, e.g. EUR"),
        "total_price": number(DraftOrder.total_price, "amount; >, >=, <, <= work", decimal=True),
        "created_at": timestamp(DraftOrder.created_at, "date or time; >, >=, <, <= work"),
        "updated_at": timestamp(DraftOrder.updated_at, "date or time; >, >=, <, <= work"),
    },
    text_columns=(DraftOrder.name, DraftOrder.email, DraftOrder.customer_sort_name),
)

LISTING = Listing(DraftOrder, DraftOrder.id, SORT_KEYS, SEARCH)
"""Search, sort, page and count draft orders."""


async def next_number(session: AsyncSession) -> int:
    """The next draft number: a sequence on PostgreSQL, the highest plus one on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return int(await session.scalar(select(func.nextval("draft_order_number_seq"))) or 0)
    highest = await session.scalar(
        select(func.max(DraftOrder.number)).execution_options(**ALL_ROWS)
    )
    return 1 if highest is None else int(highest) + 1


async def get(
    session: AsyncSession, draft_id: int, *, for_update: bool = False
) -> DraftOrder | None:
    statement = select(DraftOrder).where(DraftOrder.id == draft_id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def by_invoice_token(session: AsyncSession, token: str) -> DraftOrder | None:
    statement = select(DraftOrder).where(DraftOrder.invoice_token == token)
    return (await session.execute(statement)).scalar_one_or_none()


async def channel_handle(session: AsyncSession, channel_id: int) -> str:
    channel = await session.get(Channel, channel_id)
    assert channel is not None
    return channel.handle


LINES = ChildList(
    DraftOrderLine, DraftOrderLine.draft_order_id, SortKey("POSITION", DraftOrderLine.position)
)
"""A draft's lines, in their position."""


async def lines_of(session: AsyncSession, draft_ids: Sequence[int]) -> list[DraftOrderLine]:
    if not draft_ids:
        return []
    statement = (
        select(DraftOrderLine)
        .where(DraftOrderLine.draft_order_id.in_(draft_ids))
        .order_by(DraftOrderLine.draft_order_id, DraftOrderLine.position)
    )
    return list((await session.scalars(statement)).all())


async def replace_lines(
    session: AsyncSession, draft_id: int, lines: Sequence[DraftOrderLine]
) -> None:
    await session.execute(delete(DraftOrderLine).where(DraftOrderLine.draft_order_id == draft_id))
    session.add_all(lines)
    await session.flush()


async def tags_of(session: AsyncSession, draft_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each draft's tags, sorted ignoring case."""
    if not draft_ids:
        return {}
    statement = select(DraftOrderTag.draft_order_id, DraftOrderTag.tag).where(
        DraftOrderTag.draft_order_id.in_(draft_ids)
    )
    grouped: dict[int, list[str]] = {}
    for draft_id, tag in (await session.execute(statement)).all():
        grouped.setdefault(draft_id, []).append(tag)
    return {key: sorted(tags, key=str.lower) for key, tags in grouped.items()}


async def set_tags(session: AsyncSession, draft_id: int, tags: Sequence[str]) -> None:
    await session.execute(delete(DraftOrderTag).where(DraftOrderTag.draft_order_id == draft_id))
    if tags:
        await session.execute(
            insert(DraftOrderTag), [{"draft_order_id": draft_id, "tag": tag} for tag in tags]
        )


async def delete_draft(session: AsyncSession, draft_id: int) -> None:
    """The draft, its lines and tags (events about it stay in the feed)."""
    await session.execute(delete(DraftOrderTag).where(DraftOrderTag.draft_order_id == draft_id))
    await session.execute(delete(DraftOrderLine).where(DraftOrderLine.draft_order_id == draft_id))
    await session.execute(delete(DraftOrder).where(DraftOrder.id == draft_id))
