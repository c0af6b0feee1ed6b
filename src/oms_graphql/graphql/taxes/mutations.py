from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.mutation import IdempotencyKey, mutate_payload, mutate_row
from oms_graphql.graphql.permissions import requires
from oms_graphql.graphql.taxes.types import TaxRate
from oms_graphql.ids import encode_gid
from oms_graphql.models import TaxRate as TaxRateRow
from oms_graphql.taxes import repository, service


@strawberry.enum(description="Why a tax rate mutation refused its input.")
class TaxRateUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of a tax rate mutation.")
class TaxRateUserError(UserError[TaxRateUserErrorCode]):
    pass


@strawberry.input(description="The rate of a country, or of one of its provinces.")
class TaxRateInput:
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    rate: Decimal = strawberry.field(description="A fraction from 0 to below 1: 0.22 is 22%.")
    province: str | None = strawberry.field(
        default=None, description="Only this province (it then wins over the country's rate)."
    )
    name: str | None = strawberry.field(default=None, description="What the tax is called.")


@strawberry.type(description="The result of taxRateSet.")
class TaxRateSetPayload:
    tax_rate: TaxRate | None = strawberry.field(description="The rate; null on userErrors.")
    user_errors: list[TaxRateUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


@strawberry.type(description="The result of taxRateDelete.")
class TaxRateDeletePayload:
    deleted_tax_rate_id: strawberry.ID | None = strawberry.field(
        description="The id of the rate removed; null on userErrors."
    )
    user_errors: list[TaxRateUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


async def _rate(session: AsyncSession, rate_id: int) -> TaxRateRow | None:
    found = await repository.get_many(session, [rate_id])
    return found[0] if found else None


@strawberry.type
class TaxMutations:
    @strawberry.mutation(
        description="Create or replace the tax rate of a country or province; orders placed "
        "afterwards use it (placed orders keep theirs).",
        extensions=requires("write_settings"),
    )
    async def tax_rate_set(
        self,
        info: Info,
        input: Annotated[TaxRateInput, strawberry.argument(description="The rate.")],
        idempotency_key: IdempotencyKey = None,
    ) -> TaxRateSetPayload:
        given = service.RateFields(input.country_code, input.rate, input.province, input.name)
        return await mutate_row(
            info,
            TaxRateSetPayload,
            TaxRateUserError,
            operation="taxRateSet",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: service.set_rate(session, given=given),
            get=_rate,
            present=TaxRate.from_model,
        )

    @strawberry.mutation(
        description="Remove the tax rate of a country or province.",
        extensions=requires("write_settings"),
    )
    async def tax_rate_delete(
        self,
        info: Info,
        country_code: Annotated[str, strawberry.argument(description="The country.")],
        province: Annotated[
            str | None, strawberry.argument(description="The province; none: the country's.")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> TaxRateDeletePayload:
        return await mutate_payload(
            info,
            TaxRateDeletePayload,
            TaxRateUserError,
            operation="taxRateDelete",
            arguments={"countryCode": country_code, "province": province},
            idempotency_key=idempotency_key,
            action=lambda session: service.delete_rate(
                session, country_code=country_code, province=province
            ),
            remember=lambda rate_id: rate_id,
            recall=lambda session, rate_id: _same(rate_id),
            answer=lambda rate_id: TaxRateDeletePayload(
                deleted_tax_rate_id=strawberry.ID(encode_gid("TaxRate", int(rate_id))),
                user_errors=[],
            ),
        )


async def _same(value: Any) -> Any:
    return value
