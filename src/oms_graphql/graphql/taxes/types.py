from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import strawberry

from oms_graphql import models
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.ids import encode_gid


@strawberry.type(description="The tax rate of a country, or of one province of it.")
class TaxRate(Node):
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    province: str | None = strawberry.field(
        description="The province it applies to; null for the whole country."
    )
    name: str = strawberry.field(description="What the tax is called, e.g. IVA.")
    rate: Decimal = strawberry.field(description="The rate as a fraction: 0.22 is 22%.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def from_model(cls, row: models.TaxRate) -> TaxRate:
        return cls(
            id=strawberry.ID(encode_gid("TaxRate", row.id)),
            country_code=row.country_code,
            province=row.province,
            name=row.name,
            rate=row.rate,
            updated_at=row.updated_at,
        )


async def _load(info: Info, ids: Sequence[int]) -> list[TaxRate | None]:
    rows = await info.context.loaders.tax_rate.load_many(list(ids))
    return [TaxRate.from_model(row) if row else None for row in rows]


register_node("TaxRate", read_scope="read_settings", load=_load)
