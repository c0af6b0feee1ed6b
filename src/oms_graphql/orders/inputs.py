"""What order mutations accept, as plain data (the GraphQL layer builds these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from oms_graphql.addresses import AddressInput
from oms_graphql.models import CancelReason, DeliveryMethod, DiscountValueType, FinancialStatus
from oms_graphql.unset import UNSET, Unset

MAX_LINES = 250
"""At most this many lines, shipping lines or discounts in one order."""
TEXT_MAX = 255
NOTE_MAX = 5_000


@dataclass(frozen=True, slots=True)
class NewLine:
    sku: str | None
    """``None`` for a custom line (no inventory item): it then needs a title and a price."""
    quantity: int
    original_unit_price: Decimal | None = None
    """Overrides the catalog price when given."""
    title: str | None = None
    """A custom line's title; on a SKU line it replaces the item's title."""


@dataclass(frozen=True, slots=True)
class NewShippingLine:
    title: str
    price: Decimal
    code: str | None = None


@dataclass(frozen=True, slots=True)
class NewDiscount:
    value_type: DiscountValueType
    value: Decimal
    title: str | None = None
    line_index: int | None = None


@dataclass(frozen=True, slots=True)
class CustomerRef:
    email: str
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True, slots=True)
class NewOrder:
    channel: str
    lines: Sequence[NewLine]
    customer: CustomerRef | None = None
    shipping_address: AddressInput | None = None
    shipping_lines: Sequence[NewShippingLine] = ()
    discounts: Sequence[NewDiscount] = ()
    currency_code: str | None = None
    delivery_method: DeliveryMethod = DeliveryMethod.SHIPPING
    pickup_location_id: int | None = None
    reservation_id: int | None = None
    financial_status: FinancialStatus = FinancialStatus.PENDING
    taxes_included: bool = False
    tags: Sequence[str] = ()
    note: str | None = None
    processed_at: datetime | None = None
    """When the order was placed, if before now (orders imported from elsewhere); it is
    then the order's creation time too."""


@dataclass(frozen=True, slots=True)
class OrderChanges:
    """orderUpdate's input; ``UNSET`` leaves a field as it is."""

    email: str | Unset | None = UNSET
    note: str | Unset | None = UNSET
    tags: Sequence[str] | Unset | None = UNSET
    shipping_address: AddressInput | Unset | None = UNSET


@dataclass(frozen=True, slots=True)
class Capture:
    parent_transaction_id: int
    amount: Decimal | None = None
    """Everything still capturable on the authorization when not given."""


@dataclass(frozen=True, slots=True)
class Cancellation:
    reason: CancelReason
    restock: bool = True
    refund: bool = False
    staff_note: str | None = None
