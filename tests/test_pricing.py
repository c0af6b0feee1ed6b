"""Pricing an order exactly, without a database: allocation, discounts, tax and totals."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import pytest

from oms_graphql.models import DiscountValueType
from oms_graphql.orders.pricing import (
    DiscountToApply,
    LineToPrice,
    PricedOrder,
    allocate,
    price_order,
)

D = Decimal
PERCENTAGE = DiscountValueType.PERCENTAGE
FIXED = DiscountValueType.FIXED_AMOUNT
SEED = 20240611


def decimals(*values: str | int) -> list[Decimal]:
    return [D(value) for value in values]


def line(unit_price: str, quantity: int = 1) -> LineToPrice:
    return LineToPrice(D(unit_price), quantity)


def percent_off(value: str, line_index: int | None = None) -> DiscountToApply:
    return DiscountToApply(PERCENTAGE, D(value), line_index)


def amount_off(value: str, line_index: int | None = None) -> DiscountToApply:
    return DiscountToApply(FIXED, D(value), line_index)


def price(
    lines: Sequence[LineToPrice],
    discounts: Sequence[DiscountToApply] = (),
    shipping: Sequence[str] = (),
    *,
    tax_rate: str = "0",
    taxes_included: bool = False,
    minor_units: int = 2,
) -> PricedOrder:
    return price_order(
        lines,
        discounts,
        [D(amount) for amount in shipping],
        tax_rate=D(tax_rate),
        taxes_included=taxes_included,
        minor_units=minor_units,
    )


def random_amount(rng: random.Random, minor_units: int, most_units: int = 1_000_000) -> Decimal:
    return D(rng.randint(0, most_units)).scaleb(-minor_units)


def random_weights(rng: random.Random) -> list[Decimal]:
    weights = [
        D(rng.randint(0, 100_000)).scaleb(-rng.choice([0, 2, 3])) for _ in range(rng.randint(1, 12))
    ]
    for index in rng.sample(range(len(weights)), k=rng.randint(0, len(weights) - 1)):
        weights[index] = D(0)  # zero weights are common: fully discounted lines
    if all(weight == 0 for weight in weights):
        weights[rng.randrange(len(weights))] = D(rng.randint(1, 5000))
    return weights


# allocate


@pytest.mark.parametrize("minor_units", [0, 2, 3])
def test_allocate_parts_add_up_exactly_to_the_amount_for_random_weights(minor_units: int) -> None:
    rng = random.Random(SEED + minor_units)
    unit = D(1).scaleb(-minor_units)
    for _ in range(2000):
        amount = random_amount(rng, minor_units)
        weights = random_weights(rng)

        parts = allocate(amount, weights, minor_units)

        context = f"amount={amount} weights={weights} parts={parts}"
        assert len(parts) == len(weights), context
        assert sum(parts, D(0)) == amount, context
        for part, weight in zip(parts, weights, strict=True):
            assert part >= 0, context
            assert part == part.quantize(unit), context
            if weight == 0:
                assert part == 0, context


@pytest.mark.parametrize("minor_units", [0, 2, 3])
def test_allocate_matches_largest_remainder_computed_with_exact_fractions(
    minor_units: int,
) -> None:
    """Each part is its floored share, plus one unit for the largest remainders."""
    rng = random.Random(SEED * 7 + minor_units)
    unit = Fraction(D(1).scaleb(-minor_units))
    for _ in range(1000):
        amount = random_amount(rng, minor_units, most_units=50_000)
        weights = random_weights(rng)
        total = sum((Fraction(weight) for weight in weights), Fraction(0))
        shares = [Fraction(amount) * Fraction(weight) / total for weight in weights]
        floors = [(share // unit) * unit for share in shares]
        left = int((Fraction(amount) - sum(floors, Fraction(0))) / unit)
        lucky = sorted(
            (i for i, weight in enumerate(weights) if weight > 0),
            key=lambda i: (-(shares[i] - floors[i]), i),
        )[:left]
        expected = [floors[i] + (unit if i in lucky else 0) for i in range(len(weights))]

        parts = allocate(amount, weights, minor_units)

        assert [Fraction(part) for part in parts] == expected, (amount, weights, parts)


def test_allocate_splits_in_proportion_to_the_weights() -> None:
    assert allocate(D("30.00"), decimals("10.00", "20.00"), 2) == decimals("10.00", "20.00")
    assert allocate(D("6.00"), decimals(1, 2, 3), 2) == decimals("1.00", "2.00", "3.00")


def test_allocate_gives_the_leftover_cent_to_the_largest_remainder_not_the_first_weight() -> None:
    # exact shares 0.0333... and 0.0666...: the second has the larger remainder
    assert allocate(D("0.10"), decimals(1, 2), 2) == decimals("0.03", "0.07")


def test_allocate_gives_leftover_units_on_tied_remainders_to_the_earlier_weight() -> None:
    assert allocate(D("10.00"), decimals(1, 1, 1), 2) == decimals("3.34", "3.33", "3.33")
    assert allocate(D("0.02"), decimals(1, 1, 1), 2) == decimals("0.01", "0.01", "0.00")
    # shares 0.005 and 0.015 leave the same remainder: the earlier (smaller) weight wins it
    assert allocate(D("0.02"), decimals(1, 3), 2) == decimals("0.01", "0.01")


def test_allocate_gives_nothing_to_zero_weights() -> None:
    assert allocate(D("0.05"), decimals(0, 1, 0, 1), 2) == decimals("0", "0.03", "0", "0.02")
    assert allocate(D("1.00"), decimals(0, 0, 7), 2) == decimals("0", "0", "1.00")


def test_allocate_gives_nothing_when_every_weight_is_zero() -> None:
    assert allocate(D("5.00"), decimals(0, 0), 2) == decimals(0, 0)


def test_allocate_of_zero_gives_zero_parts() -> None:
    assert allocate(D("0.00"), decimals(3, 4), 2) == decimals(0, 0)


def test_allocate_handles_an_empty_weight_list() -> None:
    assert allocate(D("0.00"), [], 2) == []


def test_allocate_in_a_zero_decimal_currency_gives_whole_units() -> None:
    """JPY has no minor unit: parts are whole yen."""
    assert allocate(D(100), decimals(1, 1, 1), 0) == decimals(34, 33, 33)
    assert allocate(D(1), decimals(1, 1, 1), 0) == decimals(1, 0, 0)
    assert allocate(D(1000), decimals("333", "333", "334"), 0) == decimals(333, 333, 334)


def test_allocate_in_a_three_decimal_currency_gives_thousandths() -> None:
    """KWD has three decimals: parts are fils."""
    assert allocate(D("1.000"), decimals(1, 1, 1), 3) == decimals("0.334", "0.333", "0.333")
    assert allocate(D("0.010"), decimals(2, 1), 3) == decimals("0.007", "0.003")


@pytest.mark.parametrize(("minor_units", "exponent"), [(0, 0), (2, -2), (3, -3)])
def test_allocate_parts_are_expressed_in_the_currency_minor_unit(
    minor_units: int, exponent: int
) -> None:
    parts = allocate(D(7), decimals(1, 0, 2), minor_units)
    assert [part.as_tuple().exponent for part in parts] == [exponent] * 3


# price_order: discounts


def test_an_order_without_discounts_or_tax_totals_its_lines() -> None:
    priced = price([line("10.00", 2), line("5.50")], shipping=["4.90"])

    assert [p.original_total for p in priced.lines] == decimals("20.00", "5.50")
    assert [p.discounted_total for p in priced.lines] == decimals("20.00", "5.50")
    assert priced.discount_amounts == []
    assert priced.subtotal == D("25.50")
    assert priced.total_discounts == 0
    assert priced.total_shipping == D("4.90")
    assert priced.total_tax == 0
    assert priced.total == D("30.40")


def test_a_fixed_amount_line_discount_comes_off_that_line_only() -> None:
    priced = price([line("10.00", 2), line("5.00")], [amount_off("3.50", line_index=0)])

    assert priced.lines[0].allocations == {0: D("3.50")}
    assert priced.lines[0].discounted_total == D("16.50")
    assert priced.lines[1].total_discount == 0
    assert priced.lines[1].discounted_total == D("5.00")
    assert priced.discount_amounts == decimals("3.50")
    assert priced.subtotal == D("21.50")


def test_a_percentage_order_discount_is_spread_over_lines_in_proportion() -> None:
    priced = price([line("30.00"), line("10.00"), line("60.00")], [percent_off("10")])

    assert priced.discount_amounts == decimals("10.00")
    assert [p.allocations for p in priced.lines] == [
        {0: D("3.00")},
        {0: D("1.00")},
        {0: D("6.00")},
    ]
    assert priced.subtotal == D("90.00")


def test_an_order_discount_spread_by_largest_remainder_adds_up_to_the_cent() -> None:
    # 10% of 33.33 is 3.33; exact shares 0.999.., 0.999.. and 1.3318..
    priced = price([line("10.00"), line("10.00"), line("13.33")], [percent_off("10")])

    assert priced.discount_amounts == decimals("3.33")
    assert [p.total_discount for p in priced.lines] == decimals("1.00", "1.00", "1.33")


def test_line_discounts_apply_before_order_discounts_whatever_their_order_in_the_list() -> None:
    # the order discount comes first in the list but is taken on what the line discount left
    priced = price(
        [line("20.00"), line("10.00")],
        [percent_off("10"), amount_off("5.00", line_index=0)],
    )

    assert priced.discount_amounts == decimals("2.50", "5.00")  # 10% of 25.00, not of 30.00
    assert priced.lines[0].allocations == {1: D("5.00"), 0: D("1.50")}
    assert priced.lines[1].allocations == {0: D("1.00")}
    assert [p.discounted_total for p in priced.lines] == decimals("13.50", "9.00")
    assert priced.total_discounts == D("7.50")
    assert priced.total == D("22.50")


def test_order_discounts_apply_in_the_order_given_each_on_what_is_left() -> None:
    priced = price([line("100.00")], [percent_off("50"), percent_off("50")])

    assert priced.discount_amounts == decimals("50.00", "25.00")
    assert priced.subtotal == D("25.00")


def test_line_discounts_on_the_same_line_apply_in_the_order_given() -> None:
    priced = price(
        [line("40.00"), line("10.00")],
        [amount_off("10.00", line_index=0), percent_off("50", line_index=0)],
    )

    assert priced.discount_amounts == decimals("10.00", "15.00")
    assert priced.lines[0].discounted_total == D("15.00")
    assert priced.lines[1].discounted_total == D("10.00")


@pytest.mark.parametrize(
    ("unit_price", "percent", "minor_units", "discount"),
    [
        ("0.05", "10", 2, "0.01"),  # 0.005 -> 0.01 (half even would give 0.00)
        ("12.30", "15", 2, "1.85"),  # 1.845 -> 1.85 (half even would give 1.84)
        ("12.30", "15.5", 2, "1.91"),  # 1.9065 -> 1.91
        ("0.01", "49.99", 2, "0.00"),  # 0.004999 -> 0.00, below half
        ("250", "5", 0, "13"),  # 12.5 yen -> 13 (half even would give 12)
        ("12.345", "10", 3, "1.235"),  # 1.2345 -> 1.235 (half even would give 1.234)
    ],
)
def test_a_percentage_discount_is_rounded_half_up_to_the_minor_unit(
    unit_price: str, percent: str, minor_units: int, discount: str
) -> None:
    priced = price([line(unit_price)], [percent_off(percent)], minor_units=minor_units)

    assert priced.discount_amounts == [D(discount)]
    assert priced.lines[0].total_discount == D(discount)


def test_a_fixed_line_discount_bigger_than_the_line_takes_it_to_zero_and_shows_less() -> None:
    priced = price([line("8.00"), line("12.00")], [amount_off("10.00", line_index=0)])

    assert priced.lines[0].discounted_total == 0
    assert priced.lines[1].discounted_total == D("12.00")
    assert priced.discount_amounts == decimals("8.00")
    assert priced.total_discounts == D("8.00")


def test_a_fixed_order_discount_bigger_than_the_order_takes_every_line_to_zero() -> None:
    priced = price([line("3.00"), line("2.00")], [amount_off("10.00")], shipping=["4.00"])

    assert [p.discounted_total for p in priced.lines] == decimals(0, 0)
    assert priced.discount_amounts == decimals("5.00")
    assert priced.subtotal == 0
    assert priced.total == D("4.00")  # shipping is not discounted


def test_an_order_discount_after_a_line_was_fully_discounted_goes_to_the_other_lines() -> None:
    priced = price(
        [line("8.00"), line("12.00")],
        [amount_off("10.00", line_index=0), amount_off("20.00")],
    )

    assert priced.discount_amounts == decimals("8.00", "12.00")
    assert priced.lines[0].allocations.get(1, D(0)) == 0
    assert priced.lines[1].allocations == {1: D("12.00")}
    assert [p.discounted_total for p in priced.lines] == decimals(0, 0)
    assert priced.total_discounts == D("20.00")


def test_a_second_discount_on_a_line_already_at_zero_takes_nothing() -> None:
    priced = price(
        [line("5.00")],
        [percent_off("100", line_index=0), amount_off("1.00", line_index=0), percent_off("10")],
    )

    assert priced.discount_amounts == decimals("5.00", "0", "0")
    assert priced.lines[0].discounted_total == 0


def test_a_percentage_over_a_hundred_never_takes_a_line_below_zero() -> None:
    priced = price([line("10.00")], [percent_off("150")])

    assert priced.discount_amounts == decimals("10.00")
    assert priced.lines[0].discounted_total == 0


# price_order: tax


def test_tax_is_computed_on_each_line_after_its_discounts() -> None:
    priced = price(
        [line("100.00"), line("50.00")],
        [amount_off("20.00", line_index=0)],
        tax_rate="0.22",
    )

    assert [p.tax for p in priced.lines] == decimals("17.60", "11.00")
    assert priced.total_tax == D("28.60")
    assert priced.total == D("130.00") + D("28.60")


def test_tax_is_computed_after_order_discounts_too() -> None:
    priced = price([line("10.00"), line("10.00")], [percent_off("10")], tax_rate="0.22")

    assert [p.tax for p in priced.lines] == decimals("1.98", "1.98")


def test_tax_is_rounded_per_line_not_on_the_subtotal() -> None:
    # each line has 0.005 of tax, rounded half up to 0.01; on the subtotal it would be 0.01
    priced = price([line("0.05"), line("0.05")], tax_rate="0.10")

    assert [p.tax for p in priced.lines] == decimals("0.01", "0.01")
    assert priced.total_tax == D("0.02")
    assert priced.total == D("0.12")


@pytest.mark.parametrize(
    ("amount", "rate", "minor_units", "tax"),
    [
        ("0.15", "0.30", 2, "0.05"),  # 0.045 -> 0.05 (half even would give 0.04)
        ("0.25", "0.22", 2, "0.06"),  # 0.055 -> 0.06
        ("0.11", "0.22", 2, "0.02"),  # 0.0242 -> 0.02
        ("50", "0.09", 0, "5"),  # 4.5 yen -> 5 (half even would give 4)
        ("1.050", "0.05", 3, "0.053"),  # 0.0525 -> 0.053 (half even would give 0.052)
    ],
)
def test_line_tax_is_rounded_half_up_to_the_minor_unit(
    amount: str, rate: str, minor_units: int, tax: str
) -> None:
    priced = price([line(amount)], tax_rate=rate, minor_units=minor_units)

    assert priced.lines[0].tax == D(tax)


def test_shipping_is_taxed_at_the_same_rate_and_not_discounted() -> None:
    priced = price(
        [line("10.00")], [percent_off("100")], shipping=["10.00", "5.05"], tax_rate="0.22"
    )

    assert priced.lines[0].tax == 0
    assert priced.shipping_taxes == decimals("2.20", "1.11")  # 1.111 -> 1.11
    assert priced.total_shipping == D("15.05")
    assert priced.total_tax == D("3.31")
    assert priced.total == D("18.36")


def test_tax_included_in_prices_is_extracted_not_added() -> None:
    priced = price([line("12.20")], tax_rate="0.22", taxes_included=True)

    assert priced.lines[0].tax == D("2.20")  # 12.20 at 22% contains 2.20
    assert priced.total_tax == D("2.20")
    assert priced.subtotal == D("12.20")
    assert priced.total == D("12.20")


def test_tax_included_is_extracted_from_discounted_lines_and_shipping() -> None:
    priced = price(
        [line("24.40"), line("6.10")],
        [amount_off("12.20", line_index=0)],
        shipping=["6.10"],
        tax_rate="0.22",
        taxes_included=True,
    )

    assert [p.tax for p in priced.lines] == decimals("2.20", "1.10")
    assert priced.shipping_taxes == decimals("1.10")
    assert priced.total_tax == D("4.40")
    assert priced.total == D("24.40")  # 12.20 + 6.10 + 6.10 shipping; tax is inside


def test_tax_extracted_from_included_prices_is_rounded_half_up() -> None:
    # 0.13 at 4% contains exactly 0.005 of tax
    priced = price([line("0.13")], tax_rate="0.04", taxes_included=True)

    assert priced.lines[0].tax == D("0.01")


@pytest.mark.parametrize("taxes_included", [False, True])
def test_a_zero_rate_gives_no_tax(taxes_included: bool) -> None:
    priced = price(
        [line("9.99", 3)],
        [percent_off("10")],
        shipping=["5.00"],
        tax_rate="0",
        taxes_included=taxes_included,
    )

    assert [p.tax for p in priced.lines] == [0]
    assert priced.shipping_taxes == [0]
    assert priced.total_tax == 0
    assert priced.total == priced.subtotal + D("5.00")


def test_a_zero_decimal_currency_prices_in_whole_units() -> None:
    priced = price(
        [line("1000", 3), line("999")],
        [percent_off("10")],
        shipping=["500"],
        tax_rate="0.10",
        minor_units=0,
    )

    assert priced.discount_amounts == decimals(400)  # 10% of 3999 is 399.9
    assert [p.total_discount for p in priced.lines] == decimals(300, 100)
    assert [p.tax for p in priced.lines] == decimals(270, 90)
    assert priced.shipping_taxes == decimals(50)
    assert priced.total == D(3599) + D(500) + D(410)


# price_order: identities


def check_identities(priced: PricedOrder, discounts: Sequence[DiscountToApply]) -> None:
    lines = priced.lines
    assert priced.subtotal == sum((p.discounted_total for p in lines), D(0))
    assert priced.total_discounts == sum((p.total_discount for p in lines), D(0))
    assert priced.total_discounts == sum(priced.discount_amounts, D(0))
    assert priced.total_tax == sum((p.tax for p in lines), D(0)) + sum(priced.shipping_taxes, D(0))
    for index, amount in enumerate(priced.discount_amounts):
        assert amount == sum((p.allocations.get(index, D(0)) for p in lines), D(0))
        assert amount >= 0
        if discounts[index].value_type is FIXED:
            assert amount <= discounts[index].value
        if discounts[index].line_index is not None:
            assert all(
                index not in p.allocations or i == discounts[index].line_index
                for i, p in enumerate(lines)
            )
    for priced_line in lines:
        assert 0 <= priced_line.discounted_total <= priced_line.original_total
        assert priced_line.original_total == priced_line.discounted_total + (
            priced_line.total_discount
        )


def random_order(
    rng: random.Random, minor_units: int
) -> tuple[list[LineToPrice], list[DiscountToApply], list[Decimal]]:
    lines = [
        LineToPrice(random_amount(rng, minor_units, 50_000), rng.randint(1, 5))
        for _ in range(rng.randint(1, 6))
    ]
    discounts = []
    for _ in range(rng.randint(0, 4)):
        line_index = rng.choice([None, rng.randrange(len(lines))])
        if rng.random() < 0.5:
            value = D(rng.randint(1, 10_000)).scaleb(-2)  # 0.01% to 100.00%
            discounts.append(DiscountToApply(PERCENTAGE, value, line_index))
        else:
            value = random_amount(rng, minor_units, 100_000) + D(1).scaleb(-minor_units)
            discounts.append(DiscountToApply(FIXED, value, line_index))
    shipping = [random_amount(rng, minor_units, 3000) for _ in range(rng.randint(0, 2))]
    return lines, discounts, shipping


@pytest.mark.parametrize("minor_units", [0, 2, 3])
@pytest.mark.parametrize("taxes_included", [False, True])
def test_random_orders_keep_the_totals_identities(minor_units: int, taxes_included: bool) -> None:
    rng = random.Random(SEED + 31 * minor_units + taxes_included)
    for _ in range(500):
        lines, discounts, shipping = random_order(rng, minor_units)
        tax_rate = rng.choice(decimals("0", "0.04", "0.1", "0.22", "0.0825"))

        priced = price_order(
            lines,
            discounts,
            shipping,
            tax_rate=tax_rate,
            taxes_included=taxes_included,
            minor_units=minor_units,
        )

        check_identities(priced, discounts)
        assert priced.total_shipping == sum(shipping, D(0))
        tax_added = D(0) if taxes_included else priced.total_tax
        assert priced.total == priced.subtotal + priced.total_shipping + tax_added
