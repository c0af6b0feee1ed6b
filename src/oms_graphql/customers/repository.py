"""All SQL about customers and their tags."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, case, delete, exists, func, insert, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.db import LOCKED, MoneyAmount
from oms_graphql.listing import Listing
from oms_graphql.models import Customer, CustomerTag
from oms_graphql.paging import SortKey
from oms_graphql.search import SearchSpec, custom, identifier, keyword, number, timestamp

SORT_KEYS: dict[str, SortKey] = {
    "ID": SortKey("ID", Customer.id),
    "NAME": SortKey("NAME", Customer.sort_name, nullable=True),
    "EMAIL": SortKey("EMAIL", Customer.email),
    "CREATED_AT": SortKey("CREATED_AT", Customer.created_at),
    "UPDATED_AT": SortKey("UPDATED_AT", Customer.updated_at),
    "ORDERS_COUNT": SortKey("ORDERS_COUNT", Customer.orders_count),
    "AMOUNT_SPENT": SortKey("AMOUNT_SPENT", Customer.amount_spent),
}


def _has_tag(op: str, tag: str) -> ColumnElement[bool]:
    return exists(
        select(CustomerTag.customer_id).where(
            CustomerTag.customer_id == Customer.id, func.lower(CustomerTag.tag) == tag.lower()
        )
    )


def _has_any_tag() -> ColumnElement[bool]:
    return exists(select(CustomerTag.customer_id).where(CustomerTag.customer_id == Customer.id))


SEARCH = SearchSpec(
    fields={
        "id": identifier(Customer.id, "Customer", "numeric or global id; >, < work"),
        "email": keyword(Customer.email, "exact email, or a prefix with *"),
        "first_name": keyword(Customer.first_name, "exact first name, or a prefix with *"),
        "last_name": keyword(Customer.last_name, "exact last name, or a prefix with *"),
        "phone": keyword(Customer.phone, "exact phone number"),
        "country": keyword(Customer.country_code, "default address country, e.g. IT"),
        "city": keyword(Customer.city, "default address city"),
        "tag": custom(_has_tag, "has this tag (any case)", exists=_has_any_tag),
        "orders_count": number(Customer.orders_count, "integer; >, >=, <, <= work"),
        "amount_spent": number(Customer.amount_spent, "amount; >, >=, <, <= work", decimal=True),
        "aov": number(
            # Compared as a money amount (scaled integers divide exactly enough: 1/10,000).
            type_coerce(
                case(
                    (Customer.orders_count > 0, Customer.amount_spent / Customer.orders_count),
                    else_=None,
                ),
                MoneyAmount,
            ),
            "average order value, an amount; >, >=, <, <= work",
            decimal=True,
        ),
        "created_at": timestamp(Customer.created_at, "date or time; >, >=, <, <= work"),
        "updated_at": timestamp(Customer.updated_at, "date or time; >, >=, <, <= work"),
    },
    text_columns=(Customer.email, Customer.first_name, Customer.last_name),
)


async def get(
    session: AsyncSession, customer_id: int, *, for_update: bool = False
) -> Customer | None:
    statement = select(Customer).where(Customer.id == customer_id)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()


async def email_taken(session: AsyncSession, email: str, *, except_id: int | None = None) -> bool:
    statement = select(Customer.id).where(Customer.email == email).limit(1)
    if except_id is not None:
        statement = statement.where(Customer.id != except_id)
    return (await session.scalar(statement)) is not None


async def tags_of(session: AsyncSession, customer_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each customer's tags in alphabetical order (ignoring case), in one statement.

    Sorted here rather than in SQL, so the order is the same whatever the database collation.
    """
    if not customer_ids:
        return {}
    statement = select(CustomerTag.customer_id, CustomerTag.tag).where(
        CustomerTag.customer_id.in_(customer_ids)
    )
    grouped: dict[int, list[str]] = {}
    for customer_id, tag in (await session.execute(statement)).all():
        grouped.setdefault(customer_id, []).append(tag)
    return {cid: sorted(tags, key=str.lower) for cid, tags in grouped.items()}


async def set_tags(session: AsyncSession, customer_id: int, tags: Sequence[str]) -> None:
    await session.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer_id))
    if tags:
        await session.execute(
            insert(CustomerTag), [{"customer_id": customer_id, "tag": tag} for tag in tags]
        )


LISTING = Listing(Customer, Customer.id, SORT_KEYS, SEARCH)
"""Search, sort, page and count customers."""


async def get_by_email(
    session: AsyncSession, email: str, *, for_update: bool = False
) -> Customer | None:
    statement = select(Customer).where(Customer.email == email)
    if for_update:
        statement = statement.with_for_update().execution_options(**LOCKED)
    return (await session.execute(statement)).scalar_one_or_none()
