from __future__ import annotations

import strawberry

from oms_graphql.graphql.context import Info
from oms_graphql.graphql.pagination import After, Connection, First, connection
from oms_graphql.graphql.permissions import requires
from oms_graphql.graphql.taxes.types import TaxRate
from oms_graphql.paging import PageRequest
from oms_graphql.taxes import repository


@strawberry.type
class TaxQueries:
    @strawberry.field(
        description="Tax rates per country and province, a page at a time.",
        extensions=requires("read_settings"),
    )
    async def tax_rates(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[TaxRate]:
        request = PageRequest.from_args(first, after)
        async with info.context.db.reading() as session:
            page = await repository.page(session, request=request)
        return connection(page, TaxRate.from_model)
