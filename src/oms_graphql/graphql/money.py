"""Money: exact decimal amounts with a currency, serialised as strings."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import strawberry

from oms_graphql.currencies import CURRENCY_CODES, MINOR_UNITS

if TYPE_CHECKING:
    CurrencyCode = enum.Enum
else:
    CurrencyCode = strawberry.enum(
        enum.Enum("CurrencyCode", {code: code for code in CURRENCY_CODES}),
        name="CurrencyCode",
        description="An ISO 4217 currency code, e.g. EUR.",
    )


@strawberry.type(description="An exact amount of money in one currency.")
class MoneyV2:
    amount: Decimal = strawberry.field(
        description="The amount as an exact decimal string, e.g. '19.90'."
    )
    currency_code: CurrencyCode = strawberry.field(description="The currency, e.g. EUR.")

    @classmethod
    def of(cls, amount: Decimal | None, currency_code: str | None) -> MoneyV2 | None:
        if amount is None or currency_code is None:
            return None
        return cls.exact(amount, currency_code)

    @classmethod
    def exact(cls, amount: Decimal, currency_code: str) -> MoneyV2:
        """The amount written with the currency's decimals (19.90 EUR, 1500 JPY), or with
        more when it has more (an average, a rate applied), never rounded."""
        unit = Decimal(1).scaleb(-MINOR_UNITS[currency_code])
        shown = amount.quantize(unit) if amount == amount.quantize(unit) else amount.normalize()
        return cls(amount=shown, currency_code=getattr(CurrencyCode, currency_code))


@strawberry.input(description="An amount of money where no currency is implied.")
class MoneyInput:
    amount: Decimal = strawberry.field(description="Exact decimal amount, e.g. '19.90'.")
    currency_code: CurrencyCode = strawberry.field(description="The currency, e.g. EUR.")
