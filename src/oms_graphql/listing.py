"""A searchable, sortable list of one table: the page and count queries every list shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from oms_graphql.paging import Page, PageRequest, SortKey, fetch_page
from oms_graphql.search import SearchSpec


@dataclass(frozen=True, slots=True)
class Listing:
    model: type[Any]
    id_column: InstrumentedAttribute[int]
    sort_keys: dict[str, SortKey]
    search: SearchSpec

    def _searched(
        self, statement: Select[Any], query: str | None, scope: ColumnElement[bool] | None
    ) -> Select[Any]:
        condition = self.search.where(query)
        if scope is not None:
            statement = statement.where(scope)
        return statement if condition is None else statement.where(condition)

    async def page(
        self,
        session: AsyncSession,
        *,
        request: PageRequest,
        sort_key: str = "ID",
        reverse: bool = False,
        query: str | None = None,
        scope: ColumnElement[bool] | None = None,
    ) -> Page[Any]:
        """One page of what ``query`` matches (within ``scope``, the rows the caller may
        see), in ``sort_key`` order: one SQL statement."""
        return await fetch_page(
            session,
            self._searched(select(self.model), query, scope),
            sort=self.sort_keys[sort_key],
            id_column=self.id_column,
            request=request,
            reverse=reverse,
            query=query,
        )

    async def count(
        self,
        session: AsyncSession,
        *,
        query: str | None = None,
        scope: ColumnElement[bool] | None = None,
    ) -> int:
        statement = self._searched(select(func.count()).select_from(self.model), query, scope)
        return (await session.scalar(statement)) or 0
