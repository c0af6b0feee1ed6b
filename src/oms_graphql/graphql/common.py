"""Types shared by several resources."""

from __future__ import annotations

import strawberry


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
