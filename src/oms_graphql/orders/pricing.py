"""Pricing an order exactly: discounts allocated to lines, tax per line, totals.

Pure arithmetic on ``Decimal`` in the order currency's minor units; no database here.
Line discounts apply first, then order discounts, each on what is left to pay, so no line
ever goes below zero. A discount is spread over lines by largest remainder, so its parts
add up to it to the cent; tax is computed per line after discounts (or extracted from the
price when prices include tax) and rounded half up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from oms_graphql.models import DiscountValueType

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class LineToPrice:
    unit_price: Decimal
    quantity: int


@dataclass(frozen=True, slots=True)
class DiscountToApply:
    value_type: DiscountValueType
    value: Decimal
    line_index: int | None = None
    """The line it applies to; ``None`` for the whole order."""


@dataclass(slots=True)
class PricedLine:
    original_total: Decimal
    allocations: dict[int, Decimal] = field(default_factory=dict)
    """Discount index -> the part of that discount this line carries."""
    tax: Decimal = Decimal(0)

    @property
    def total_discount(self) -> Decimal:
        return sum(self.allocations.values(), Decimal(0))

    @property
    def discounted_total(self) -> Decimal:
        return self.original_total - self.total_discount


@dataclass(frozen=True, slots=True)
class PricedOrder:
    lines: list[PricedLine]
    discount_amounts: list[Decimal]
    """What each discount took off, in the order given; a FIXED_AMOUNT discount that found
    less to take off than its value shows here as less."""
    shipping_taxes: list[Decimal]
    subtotal: Decimal
    total_discounts: Decimal
    total_shipping: Decimal
    total_tax: Decimal
    total: Decimal


def quantum(minor_units: int) -> Decimal:
    return Decimal(1).scaleb(-minor_units)


def round_money(amount: Decimal, minor_units: int) -> Decimal:
    return amount.quantize(quantum(minor_units), rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, weights: Sequence[Decimal], minor_units: int) -> list[Decimal]:
    """Split ``amount`` in proportion to ``weights`` so that the parts add up exactly.

    Each part is floored to the minor unit; the units left over go to the largest
    remainders (ties to the earlier weight). Zero weights get nothing.
    """
    unit = quantum(minor_units)
    total_weight = sum(weights, Decimal(0))
    if total_weight <= 0 or amount == 0:
        return [Decimal(0) * unit for _ in weights]
    exact = [amount * weight / total_weight for weight in weights]
    parts = [share.quantize(unit, rounding=ROUND_FLOOR) for share in exact]
    left = int((amount - sum(parts, Decimal(0))) / unit)
    by_remainder = sorted(
        (i for i, weight in enumerate(weights) if weight > 0),
        key=lambda i: (-(exact[i] - parts[i]), i),
    )
    for i in by_remainder[:left]:
        parts[i] += unit
    return parts


def _discount_amount(discount: DiscountToApply, base: Decimal, minor_units: int) -> Decimal:
    if discount.value_type is DiscountValueType.PERCENTAGE:
        wanted = round_money(base * discount.value / HUNDRED, minor_units)
    else:
        wanted = discount.value
    return min(wanted, base)


def tax_of(amount: Decimal, rate: Decimal, *, included: bool, minor_units: int) -> Decimal:
    """The tax on ``amount``, or the tax inside it when prices include tax."""
    if rate == 0:
        return Decimal(0)
    exact = amount * rate / (1 + rate) if included else amount * rate
    return round_money(exact, minor_units)


def price_order(
    lines: Sequence[LineToPrice],
    discounts: Sequence[DiscountToApply],
    shipping_prices: Sequence[Decimal],
    *,
    tax_rate: Decimal,
    taxes_included: bool,
    minor_units: int,
) -> PricedOrder:
    priced = [PricedLine(line.unit_price * line.quantity) for line in lines]
    amounts = [Decimal(0)] * len(discounts)
    # Line discounts first, then order discounts, each in the order given.
    ordered = sorted(range(len(discounts)), key=lambda i: discounts[i].line_index is None)
    for index in ordered:
        discount = discounts[index]
        targets = range(len(priced)) if discount.line_index is None else [discount.line_index]
        remaining = [priced[i].discounted_total for i in targets]
        amount = _discount_amount(discount, sum(remaining, Decimal(0)), minor_units)
        for i, part in zip(targets, allocate(amount, remaining, minor_units), strict=True):
            if part:
                priced[i].allocations[index] = part
        amounts[index] = amount
    for line in priced:
        line.tax = tax_of(
            line.discounted_total, tax_rate, included=taxes_included, minor_units=minor_units
        )
    shipping_taxes = [
        tax_of(price, tax_rate, included=taxes_included, minor_units=minor_units)
        for price in shipping_prices
    ]
    subtotal = sum((line.discounted_total for line in priced), Decimal(0))
    total_shipping = sum(shipping_prices, Decimal(0))
    total_tax = sum((line.tax for line in priced), Decimal(0)) + sum(shipping_taxes, Decimal(0))
    return PricedOrder(
        lines=priced,
        discount_amounts=amounts,
        shipping_taxes=shipping_taxes,
        subtotal=subtotal,
        total_discounts=sum(amounts, Decimal(0)),
        total_shipping=total_shipping,
        total_tax=total_tax,
        total=subtotal + total_shipping + (Decimal(0) if taxes_included else total_tax),
    )
