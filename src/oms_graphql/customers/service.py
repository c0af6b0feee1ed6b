"""Rules for customers: one per email, validated contact details, tags, versions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.addresses import (
    ADDRESS_FIELDS,
    AddressInput,
    check_address,
    is_empty,
    merge_address,
)
from oms_graphql.customers import repository
from oms_graphql.db import utcnow
from oms_graphql.errors import DomainError, Problem, api_name
from oms_graphql.events import EventType, record_event
from oms_graphql.ids import GlobalId
from oms_graphql.models import Customer
from oms_graphql.orders import repository as orders
from oms_graphql.tags import edit_tags, normalize_tags
from oms_graphql.unset import UNSET, Unset
from oms_graphql.versions import check_expected_version

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
EMAIL_MAX = 254
NAME_MAX = 255
NOTE_MAX = 5_000
PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{3,30}$")

ADDRESS_COLUMNS = {
    "first_name": "address_first_name",
    "last_name": "address_last_name",
    "company": "address_company",
    "phone": "address_phone",
    **{
        name: name
        for name in ADDRESS_FIELDS
        if name not in ("first_name", "last_name", "company", "phone")
    },
}
"""Where each field of the default address is stored on the customer row."""


@dataclass(frozen=True, slots=True)
class CustomerFields:
    """What customerCreate and customerUpdate accept; ``UNSET`` means "not given"."""

    email: str | Unset | None = UNSET
    first_name: str | Unset | None = UNSET
    last_name: str | Unset | None = UNSET
    phone: str | Unset | None = UNSET
    note: str | Unset | None = UNSET
    default_address: AddressInput | Unset | None = UNSET
    tags: list[str] | Unset | None = UNSET


def normalize_email(value: str) -> str | None:
    """The lower-case address when ``value`` looks like an email, else ``None``."""
    email = value.strip().lower()
    return email if len(email) <= EMAIL_MAX and EMAIL.match(email) else None


def _text(value: str | None, name: str, limit: int, problems: list[Problem]) -> str | None:
    clean = (value or "").strip() or None
    if clean is not None and len(clean) > limit:
        problems.append(
            Problem("TOO_LONG", f"{name} is longer than {limit} characters", ("input", name))
        )
    return clean


def _address_of(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, column) for name, column in ADDRESS_COLUMNS.items()}


def sort_name(first_name: str | None, last_name: str | None) -> str | None:
    name = " ".join(part for part in (first_name, last_name) if part)
    return name.lower() or None


async def _validated(
    session: AsyncSession, customer: Customer, given: CustomerFields, *, customer_id: int | None
) -> tuple[dict[str, Any], list[str] | None]:
    """Column values to store and the tags (None: leave them alone), or every problem."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if given.email is not UNSET:
        email = normalize_email(given.email or "")
        if not (given.email or "").strip():
            problems.append(Problem("BLANK", "email is required", ("input", "email")))
        elif email is None:
            problems.append(
                Problem("INVALID", f"{given.email!r} is not an email address", ("input", "email"))
            )
        elif await repository.email_taken(session, email, except_id=customer_id):
            problems.append(
                Problem("TAKEN", f"a customer with email {email} exists", ("input", "email"))
            )
        values["email"] = email
    for name in ("first_name", "last_name"):
        value = getattr(given, name)
        if value is not UNSET:
            values[name] = _text(value, api_name(name), NAME_MAX, problems)
    if given.note is not UNSET:
        values["note"] = _text(given.note, "note", NOTE_MAX, problems)
    if given.phone is not UNSET:
        phone = (given.phone or "").strip() or None
        if phone is not None and not PHONE.match(phone):
            problems.append(
                Problem("INVALID", f"{phone!r} is not a phone number", ("input", "phone"))
            )
        values["phone"] = phone
    if given.default_address is not UNSET:
        if given.default_address is None:
            address = dict.fromkeys(ADDRESS_FIELDS)
        else:
            merged = merge_address(_address_of(customer), given.default_address)
            address = check_address(
                merged, ("input", "defaultAddress"), problems, require_country=False
            )
            if is_empty(address):
                address = dict.fromkeys(ADDRESS_FIELDS)
        values.update({ADDRESS_COLUMNS[name]: value for name, value in address.items()})
    tags = None
    if given.tags is not UNSET:
        tags = normalize_tags(given.tags or [], ("input", "tags"), problems)
    if problems:
        raise DomainError(problems)
    return values, tags


async def _flush_or_taken(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError.single(
            "TAKEN", "a customer with this email exists", ("input", "email")
        ) from None


async def create_customer(session: AsyncSession, *, given: CustomerFields) -> Customer:
    """A new customer; the email is required and unique (ignoring case)."""
    if given.email is UNSET or given.email is None:
        raise DomainError.single("BLANK", "email is required", ("input", "email"))
    customer = Customer(orders_count=0)
    values, tags = await _validated(session, customer, given, customer_id=None)
    for name, value in values.items():
        setattr(customer, name, value)
    customer.sort_name = sort_name(customer.first_name, customer.last_name)
    session.add(customer)
    await _flush_or_taken(session)
    if tags:
        await repository.set_tags(session, customer.id, tags)
    await record_event(
        session,
        EventType.CUSTOMER_CREATED,
        GlobalId("Customer", customer.id),
        {"email": customer.email},
    )
    return customer


async def update_customer(
    session: AsyncSession,
    *,
    customer_id: int,
    given: CustomerFields,
    expected_version: int | None = None,
) -> Customer:
    """Change the given fields; refused as ``STALE`` when the caller saw an older version."""
    if given.email is None:
        raise DomainError.single("BLANK", "email can't be removed", ("input", "email"))
    customer = await repository.get(session, customer_id, for_update=True)
    if customer is None:
        raise DomainError.single("NOT_FOUND", "customer not found", ("id",))
    check_expected_version(customer.version, expected_version)
    values, tags = await _validated(session, customer, given, customer_id=customer_id)
    changed = [name for name, value in values.items() if getattr(customer, name) != value]
    if tags is not None:
        current = (await repository.tags_of(session, [customer_id])).get(customer_id, [])
        if current != sorted(tags, key=str.lower):
            changed.append("tags")
    if not changed:
        return customer
    # Every attribute first, then statements: one UPDATE, so one version step per change.
    for name in changed:
        if name != "tags":
            setattr(customer, name, values[name])
    customer.sort_name = sort_name(customer.first_name, customer.last_name)
    customer.updated_at = utcnow()
    await _flush_or_taken(session)
    if "tags" in changed:
        await repository.set_tags(session, customer_id, tags or [])
    if {"first_name", "last_name"} & set(changed):
        await orders.rename_customer(session, customer_id, customer.sort_name or customer.email)
    await record_event(
        session,
        EventType.CUSTOMER_UPDATED,
        GlobalId("Customer", customer.id),
        {"changed": sorted({_api_name(name) for name in changed})},
    )
    return customer


def _api_name(column: str) -> str:
    return "defaultAddress" if column in ADDRESS_COLUMNS.values() else api_name(column)


async def change_tags(
    session: AsyncSession,
    *,
    customer_id: int,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    expected_version: int | None = None,
) -> Customer:
    """tagsAdd and tagsRemove on a customer: an update of its tags, ignoring case."""
    current = (await repository.tags_of(session, [customer_id])).get(customer_id, [])
    problems: list[Problem] = []
    tags = edit_tags(current, add=add, remove=remove, path=("tags",), problems=problems)
    if problems:
        raise DomainError(problems)
    return await update_customer(
        session,
        customer_id=customer_id,
        given=CustomerFields(tags=tags),
        expected_version=expected_version,
    )
