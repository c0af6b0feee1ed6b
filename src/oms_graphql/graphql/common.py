"""Types shared by several resources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

import strawberry

from oms_graphql.addresses import AddressInput
from oms_graphql.errors import DomainError, Problem, api_name
from oms_graphql.unset import UNSET


def given(value: Any) -> Any:
    """strawberry's "not given" marker to ours (services never import strawberry)."""
    return UNSET if value is strawberry.UNSET else value


def refuse_nulls(data: Any, *, text: Iterable[str] = (), other: Iterable[str] = ()) -> None:
    """An explicit null for a field that must keep a value: BLANK for text, INVALID otherwise.

    (Edit inputs declare every field nullable so that "not given" can be told from a value.)
    """
    problems = [
        Problem(code, f"{api_name(name)} can't be null", ("input", api_name(name)))
        for names, code in ((text, "BLANK"), (other, "INVALID"))
        for name in names
        if getattr(data, name, strawberry.UNSET) is None
    ]
    if problems:
        raise DomainError(problems)


@strawberry.type(description="How many objects match.")
class Count:
    count: int = strawberry.field(description="The number of matching objects.")


@strawberry.type(description="A postal address, with coordinates when known.")
class MailingAddress:
    first_name: str | None = strawberry.field(default=None, description="First name.")
    last_name: str | None = strawberry.field(default=None, description="Last name.")
    company: str | None = strawberry.field(default=None, description="Company name.")
    address1: str | None = strawberry.field(default=None, description="Street address.")
    address2: str | None = strawberry.field(
        default=None, description="Apartment, suite, building and so on."
    )
    city: str | None = strawberry.field(default=None, description="City or town.")
    province: str | None = strawberry.field(default=None, description="Province, state or region.")
    zip: str | None = strawberry.field(default=None, description="Postal code.")
    country_code: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 country code, e.g. IT."
    )
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    latitude: float | None = strawberry.field(
        default=None, description="Latitude in degrees (-90 to 90)."
    )
    longitude: float | None = strawberry.field(
        default=None, description="Longitude in degrees (-180 to 180)."
    )


@strawberry.input(
    description="A location's address. When editing, omitted fields stay as they are."
)
class LocationAddressInput:
    address1: str | None = strawberry.field(default=strawberry.UNSET, description="Street address.")
    address2: str | None = strawberry.field(
        default=strawberry.UNSET, description="Apartment, suite, building and so on."
    )
    city: str | None = strawberry.field(default=strawberry.UNSET, description="City or town.")
    province: str | None = strawberry.field(
        default=strawberry.UNSET, description="Province, state or region."
    )
    zip: str | None = strawberry.field(default=strawberry.UNSET, description="Postal code.")
    country_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166-1 alpha-2 country code, e.g. IT."
    )
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone number.")
    latitude: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="Latitude in degrees (-90 to 90); give it together with longitude.",
    )
    longitude: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="Longitude in degrees (-180 to 180); give it together with latitude.",
    )


@strawberry.input(description="A postal address. When editing, omitted fields stay as they are.")
class MailingAddressInput(LocationAddressInput):
    first_name: str | None = strawberry.field(default=strawberry.UNSET, description="First name.")
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description="Last name.")
    company: str | None = strawberry.field(default=strawberry.UNSET, description="Company name.")


def address_input(data: Any) -> AddressInput:
    """An address input type (any with a subset of AddressInput's fields) to the service's."""
    return AddressInput(
        **{f.name: given(getattr(data, f.name, strawberry.UNSET)) for f in fields(AddressInput)}
    )
