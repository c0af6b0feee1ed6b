"""Refunds in GraphQL: the Refund node, suggestedRefund and refundCreate."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql import models
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.locations.types import Location
from oms_graphql.graphql.money import MoneyInput, MoneyV2
from oms_graphql.graphql.mutation import IdempotencyKey, mutate_payload
from oms_graphql.graphql.node import Node, register_node
from oms_graphql.graphql.orders.types import LineItem, Order, OrderTransaction
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid, encode_gid
from oms_graphql.orders import repository as orders
from oms_graphql.returns import refund_repository as repository
from oms_graphql.returns import refunds as service

if TYPE_CHECKING:
    from oms_graphql.graphql.returns.types import Return

RefundLineItemRestockType = models.RestockType
strawberry.enum(
    RefundLineItemRestockType,
    name="RefundLineItemRestockType",
    description=(
        "CANCEL: unfulfilled units leave their fulfillment orders and go back to available. "
        "RETURN: units received back on a return (its dispositions moved the stock). "
        "NO_RESTOCK: shipped units the buyer keeps first, then unfulfilled units written off "
        "(nothing comes back to sell)."
    ),
)


@strawberry.type(description="Units of one order line in a refund, and what they were worth.")
class RefundLineItem:
    line_id: strawberry.Private[int]
    location_id: strawberry.Private[int | None]
    currency: strawberry.Private[str]
    quantity: int = strawberry.field(description="How many units.")
    restock_type: RefundLineItemRestockType = strawberry.field(
        description="What happened to their stock."
    )
    subtotal_amount: strawberry.Private[Decimal]
    tax_amount: strawberry.Private[Decimal]

    @strawberry.field(description="The order line.")
    async def line_item(self, info: Info) -> LineItem:
        row = await info.context.loaders.order_line.load(self.line_id)
        assert row is not None
        return LineItem.of(row, self.currency)

    @strawberry.field(
        description="Where CANCEL units went back to stock (or the location given); null when none."
    )
    async def location(self, info: Info) -> Location | None:
        if self.location_id is None:
            return None
        row = await info.context.loaders.location.load(self.location_id)
        return Location.from_model(row) if row else None

    @strawberry.field(description="Their share of the line's discounted total.")
    def subtotal(self) -> MoneyV2:
        return MoneyV2.exact(self.subtotal_amount, self.currency)

    @strawberry.field(description="Their share of the line's tax.")
    def total_tax(self) -> MoneyV2:
        return MoneyV2.exact(self.tax_amount, self.currency)

    @classmethod
    def from_model(cls, row: models.RefundLine, currency: str) -> RefundLineItem:
        return cls(
            line_id=row.order_line_id,
            location_id=row.location_id,
            currency=currency,
            quantity=row.quantity,
            restock_type=row.restock_type,
            subtotal_amount=row.subtotal,
            tax_amount=row.total_tax,
        )

    @classmethod
    def of(cls, part: service.LineShare, currency: str) -> RefundLineItem:
        return cls(
            line_id=part.line.id,
            location_id=part.location_id,
            currency=currency,
            quantity=part.quantity,
            restock_type=part.restock_type,
            subtotal_amount=part.subtotal,
            tax_amount=part.tax,
        )


@strawberry.type(description="Shipping a refund gives back.")
class RefundShipping:
    amount: MoneyV2 = strawberry.field(description="The shipping price refunded.")
    tax: MoneyV2 = strawberry.field(description="Its tax.")


@strawberry.type(description="Money given back for an order, and the units it took out.")
class Refund(Node):
    row: strawberry.Private[models.Refund]
    note: str | None = strawberry.field(description="Staff's words about it.")
    created_at: datetime = strawberry.field(description="When it was made.")
    total_refunded: MoneyV2 = strawberry.field(description="The money given back.")
    shipping: RefundShipping = strawberry.field(description="The shipping given back.")

    @strawberry.field(description="The order.")
    async def order(self, info: Info) -> Order:
        row = await info.context.loaders.order.load(self.row.order_id)
        assert row is not None
        return Order.from_model(row)

    @strawberry.field(
        name="return",
        description="The return its RETURN units came back on (the first, when several).",
    )
    async def return_(
        self, info: Info
    ) -> Annotated[Return, strawberry.lazy("oms_graphql.graphql.returns.types")] | None:
        from oms_graphql.graphql.returns.types import Return

        if self.row.return_id is None:
            return None
        row = await info.context.loaders.return_.load(self.row.return_id)
        return Return.from_model(row) if row else None

    @strawberry.field(description="The units refunded, per order line.")
    async def refund_line_items(self, info: Info) -> list[RefundLineItem]:
        rows = await info.context.loaders.refund_lines.load(self.row.id)
        return [RefundLineItem.from_model(row, self.row.currency_code) for row in rows]

    @strawberry.field(description="The REFUND transactions that gave the money back.")
    async def transactions(self, info: Info) -> list[OrderTransaction]:
        rows = await info.context.loaders.refund_transactions.load(self.row.id)
        return [OrderTransaction.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: models.Refund) -> Refund:
        currency = row.currency_code
        return cls(
            id=strawberry.ID(encode_gid("Refund", row.id)),
            row=row,
            note=row.note,
            created_at=row.created_at,
            total_refunded=MoneyV2.exact(row.total_refunded, currency),
            shipping=RefundShipping(
                amount=MoneyV2.exact(row.shipping_amount, currency),
                tax=MoneyV2.exact(row.shipping_tax, currency),
            ),
        )


async def _load_refunds(info: Info, ids: Sequence[int]) -> list[Refund | None]:
    rows = await info.context.loaders.refund.load_many(list(ids))
    return [Refund.from_model(row) if row else None for row in rows]


register_node("Refund", read_scope="read_orders", load=_load_refunds)


# --- inputs ------------------------------------------------------------------------------


@strawberry.input(description="Units of one order line to refund.")
class RefundLineItemInput:
    line_item_id: strawberry.ID = strawberry.field(description="The order line.")
    quantity: int = strawberry.field(description="How many units (at least 1).")
    restock_type: RefundLineItemRestockType = strawberry.field(
        default=RefundLineItemRestockType.NO_RESTOCK,
        description="What happens to their stock; default NO_RESTOCK.",
    )
    location_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="CANCEL: take the units off the work at this location only.",
    )

    def to_service(self) -> service.LineToRefund:
        return service.LineToRefund(
            decode_gid(self.line_item_id, expected="LineItem").pk,
            self.quantity,
            self.restock_type,
            decode_gid(self.location_id, expected="Location").pk if self.location_id else None,
        )


@strawberry.input(description="Shipping to refund: all that is left, or an amount.")
class ShippingRefundInput:
    full_refund: bool = strawberry.field(
        default=False, description="Refund all the shipping not refunded yet."
    )
    amount: Decimal | None = strawberry.field(
        default=None, description="Or this much of the shipping price, in the order's currency."
    )

    def to_service(self) -> service.ShippingToRefund:
        return service.ShippingToRefund(self.full_refund, self.amount)


@strawberry.input(description="Money to give back against one capture or sale.")
class RefundTransactionInput:
    parent_id: strawberry.ID = strawberry.field(
        description="The CAPTURE or SALE transaction the money goes back against."
    )
    amount: MoneyInput = strawberry.field(description="How much, in the order's currency.")


@strawberry.input(description="A refund: units, shipping and money.")
class RefundInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    refund_line_items: list[RefundLineItemInput] | None = strawberry.field(
        default=None, description=f"Units to refund (at most {service.LINES_MAX} lines)."
    )
    shipping: ShippingRefundInput | None = strawberry.field(
        default=None, description="Shipping to refund."
    )
    note: str | None = strawberry.field(
        default=None, description="Staff's words about it (at most 1,000 characters)."
    )
    transactions: list[RefundTransactionInput] | None = strawberry.field(
        default=None,
        description="REFUND transactions to make (see suggestedRefund); none: no money moves.",
    )

    def to_service(self) -> service.RefundRequest:
        return service.RefundRequest(
            order_id=decode_gid(self.order_id, expected="Order").pk,
            lines=[line.to_service() for line in self.refund_line_items or []],
            shipping=self.shipping.to_service() if self.shipping else None,
            note=self.note,
            transactions=[
                service.MoneyBack(
                    decode_gid(t.parent_id, expected="OrderTransaction").pk,
                    t.amount.amount,
                    t.amount.currency_code.value,
                )
                for t in self.transactions or []
            ],
        )


# --- suggestedRefund ---------------------------------------------------------------------


@strawberry.type(description="A REFUND transaction to make.")
class SuggestedRefundTransaction:
    parent_id: strawberry.Private[int]
    amount: MoneyV2 = strawberry.field(description="How much.")
    kind: models.TransactionKind = strawberry.field(description="Always REFUND.")

    @strawberry.field(description="The capture or sale it refunds.")
    async def parent_transaction(self, info: Info) -> OrderTransaction:
        row = await info.context.loaders.transaction.load(self.parent_id)
        assert row is not None
        return OrderTransaction.from_model(row)


@strawberry.type(description="Shipping a refund may give back.")
class SuggestedRefundShipping:
    amount: MoneyV2 = strawberry.field(description="The shipping price to refund.")
    tax: MoneyV2 = strawberry.field(description="Its tax.")
    maximum_refundable: MoneyV2 = strawberry.field(description="Shipping not refunded yet.")


@strawberry.type(
    description="What a refund of some units and shipping would give back, cut to what is "
    "refundable, with the transactions to send to refundCreate."
)
class SuggestedRefund:
    amount: MoneyV2 = strawberry.field(
        description="The money to give back: the lines and shipping, plus what is owed back "
        "already, never more than was paid minus refunded."
    )
    subtotal: MoneyV2 = strawberry.field(description="The lines' share of discounted totals.")
    total_tax: MoneyV2 = strawberry.field(description="The lines' and shipping's tax.")
    maximum_refundable: MoneyV2 = strawberry.field(
        description="Paid and not refunded yet: no refund of this order can give back more."
    )
    refund_line_items: list[RefundLineItem] = strawberry.field(
        description="The units, each cut to what its restock type allows."
    )
    shipping: SuggestedRefundShipping = strawberry.field(description="The shipping.")
    suggested_transactions: list[SuggestedRefundTransaction] = strawberry.field(
        description="REFUND transactions against captures and sales, oldest first."
    )

    @classmethod
    def of(cls, plan: service.Plan) -> SuggestedRefund:
        currency = plan.order.currency_code

        def money(amount: Decimal) -> MoneyV2:
            return MoneyV2.exact(amount, currency)

        return cls(
            amount=money(plan.refundable),
            subtotal=money(plan.subtotal),
            total_tax=money(plan.total_tax),
            maximum_refundable=money(plan.order.total_captured - plan.order.total_refunded),
            refund_line_items=[RefundLineItem.of(part, currency) for part in plan.lines],
            shipping=SuggestedRefundShipping(
                amount=money(plan.shipping_amount),
                tax=money(plan.shipping_tax),
                maximum_refundable=money(plan.shipping_left),
            ),
            suggested_transactions=[
                SuggestedRefundTransaction(
                    parent_id=parent_id, amount=money(amount), kind=models.TransactionKind.REFUND
                )
                for parent_id, amount in plan.suggested_transactions()
            ],
        )


@strawberry.type
class RefundQueries:
    @strawberry.field(
        description=(
            "What refunding these units and shipping would give back, per line with its "
            "share of discounts and taxes; null for an order you may not see."
        ),
        extensions=requires("read_orders"),
    )
    async def suggested_refund(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, strawberry.argument(description="The order.")],
        refund_line_items: Annotated[
            list[RefundLineItemInput] | None, strawberry.argument(description="Units.")
        ] = None,
        shipping: Annotated[
            ShippingRefundInput | None, strawberry.argument(description="Shipping.")
        ] = None,
    ) -> SuggestedRefund | None:
        pk = decode_gid(order_id, expected="Order").pk
        order = await info.context.loaders.order.load(pk)
        if order is None:
            return None
        request = service.RefundRequest(
            order_id=pk,
            lines=[line.to_service() for line in refund_line_items or []][: service.LINES_MAX],
            shipping=shipping.to_service() if shipping else None,
        )
        async with info.context.db.reading() as session:
            plan = await service.suggest(session, order, request)
        return SuggestedRefund.of(plan)


# --- refundCreate ------------------------------------------------------------------------


@strawberry.enum(description="Why refundCreate refused its input.")
class RefundUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    BLANK = "BLANK"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    INVALID_STATE = "INVALID_STATE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    OVER_REFUND = "OVER_REFUND"
    NOT_RETURNED = "NOT_RETURNED"
    ALREADY_FULFILLED = "ALREADY_FULFILLED"
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    REFUND_EXCEEDS_PAID = "REFUND_EXCEEDS_PAID"
    REFUND_EXCEEDS_REFUNDABLE = "REFUND_EXCEEDS_REFUNDABLE"
    STALE = "STALE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of refundCreate.")
class RefundUserError(UserError[RefundUserErrorCode]):
    pass


@strawberry.type(description="The result of refundCreate.")
class RefundCreatePayload:
    refund: Refund | None = strawberry.field(description="The refund; null on userErrors.")
    order: Order | None = strawberry.field(description="The order after it; null on userErrors.")
    user_errors: list[RefundUserError] = strawberry.field(
        description="Problems with the input; when present, nothing was written."
    )


async def _recall(session: AsyncSession, remembered: Any) -> tuple[models.Order, models.Refund]:
    (refund,) = await repository.refunds_by_id(session, [int(remembered)])
    order = await orders.get(session, refund.order_id)
    assert order is not None
    return order, refund


@strawberry.type
class RefundMutations:
    @strawberry.mutation(
        description=(
            "Refund units (CANCEL, RETURN or NO_RESTOCK), shipping and money: the units "
            "leave the order's total, REFUND transactions give money back against captures "
            "and sales, never more than paid minus refunded."
        ),
        extensions=requires("write_orders"),
    )
    async def refund_create(
        self,
        info: Info,
        input: Annotated[RefundInput, strawberry.argument(description="The refund.")],
        idempotency_key: IdempotencyKey = None,
    ) -> RefundCreatePayload:
        request = input.to_service()
        return await mutate_payload(
            info,
            RefundCreatePayload,
            RefundUserError,
            operation="refundCreate",
            arguments={"input": input},
            idempotency_key=idempotency_key,
            action=lambda session: service.create(session, request),
            remember=lambda result: result[1].id,
            recall=_recall,
            answer=lambda result: RefundCreatePayload(
                refund=Refund.from_model(result[1]),
                order=Order.from_model(result[0]),
                user_errors=[],
            ),
        )
