"""Order editing: ``CalculatedOrder`` sessions and the ``orderEdit*`` mutations."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql import mail
from oms_graphql.graphql.context import Info
from oms_graphql.graphql.errors import UserError
from oms_graphql.graphql.money import CurrencyCode, MoneyV2
from oms_graphql.graphql.mutation import ExpectedVersion, IdempotencyKey, mutate_payload
from oms_graphql.graphql.node import GlobalIdArgument, Node, register_node
from oms_graphql.graphql.orders.enums import DiscountValueType
from oms_graphql.graphql.orders.types import LineItem, Order
from oms_graphql.graphql.pagination import After, Connection, First, connection
from oms_graphql.graphql.permissions import requires
from oms_graphql.ids import decode_gid, encode_gid
from oms_graphql.models import Order as OrderRow
from oms_graphql.models import OrderEditLine as EditLineRow
from oms_graphql.orders import edit_repository, editing
from oms_graphql.orders import repository as orders
from oms_graphql.orders.inputs import NewDiscount
from oms_graphql.paging import CursorCodec, PageRequest, SortKey, first_page

_POSITION = SortKey("POSITION", EditLineRow.position)


@strawberry.enum(description="Where an edit session stands.")
class CalculatedOrderStatus(enum.Enum):
    OPEN = "OPEN"
    COMMITTED = "COMMITTED"
    EXPIRED = "EXPIRED"


@strawberry.type(description="A discount staged on a calculated line.")
class CalculatedDiscount:
    title: str = strawberry.field(description="What the discount is called.")
    value_type: DiscountValueType = strawberry.field(description="Percentage or fixed amount.")
    value: Decimal = strawberry.field(
        description="The percentage (10 means 10%) or the amount in the order's currency."
    )


@strawberry.type(
    description="A line as it will be after the edit: an order line, or one the edit adds."
)
class CalculatedLineItem(Node):
    row: strawberry.Private[EditLineRow]
    sku: str | None = strawberry.field(description="The SKU; null for a custom line.")
    title: str = strawberry.field(description="The item's title.")
    quantity: int = strawberry.field(description="Units after the edit.")
    original_quantity: int = strawberry.field(
        description="Units ordered when the edit began (0 for an added line)."
    )
    fulfilled_quantity: int = strawberry.field(description="Units already fulfilled.")
    editable_quantity: int = strawberry.field(
        description="How far the quantity can still go down: units not fulfilled."
    )
    added: bool = strawberry.field(description="Whether the edit adds this line.")
    restock: bool = strawberry.field(
        description="Whether units taken off go back to available (else written off)."
    )
    original_unit_price: MoneyV2 = strawberry.field(description="Price of one unit.")
    discounted_total: MoneyV2 = strawberry.field(
        description="The line's total after every discount, as the edit prices it."
    )
    total_tax: MoneyV2 = strawberry.field(description="The tax on it after discounts.")
    staged_discount: CalculatedDiscount | None = strawberry.field(
        description="The discount this edit adds to the line."
    )

    @strawberry.field(description="The order line it edits; null for a line added by an open edit.")
    async def line_item(self, info: Info) -> LineItem | None:
        if self.row.order_line_id is None:
            return None
        row = await info.context.loaders.order_line.load(self.row.order_line_id)
        order = await info.context.loaders.order.load(row.order_id) if row else None
        return LineItem.of(row, order.currency_code) if row and order else None


def _line(view: editing.EditView, index: int, row: EditLineRow) -> CalculatedLineItem:
    currency = view.order.currency_code
    priced = view.priced.lines[index]
    return CalculatedLineItem(
        id=strawberry.ID(encode_gid("CalculatedLineItem", row.id)),
        row=row,
        sku=row.sku,
        title=row.title,
        quantity=row.quantity,
        original_quantity=row.original_quantity,
        fulfilled_quantity=row.fulfilled_quantity,
        editable_quantity=row.quantity - row.fulfilled_quantity,
        added=row.original_quantity == 0,
        restock=row.restock,
        original_unit_price=MoneyV2.exact(row.unit_price, currency),
        discounted_total=MoneyV2.exact(priced.discounted_total, currency),
        total_tax=MoneyV2.exact(priced.tax, currency),
        staged_discount=(
            CalculatedDiscount(
                title=row.discount_title or "",
                value_type=row.discount_value_type,
                value=row.discount_value,
            )
            if row.discount_value_type is not None and row.discount_value is not None
            else None
        ),
    )


@strawberry.type(
    description="An order as an edit session would leave it: staged changes, priced, "
    "nothing applied until orderEditCommit. Sessions expire 24 hours after their last change."
)
class CalculatedOrder(Node):
    view: strawberry.Private[editing.EditView]
    status: CalculatedOrderStatus = strawberry.field(
        description="OPEN, COMMITTED, or EXPIRED (begin a new edit)."
    )
    expires_at: datetime = strawberry.field(description="When an open session expires.")
    currency_code: CurrencyCode = strawberry.field(description="The currency of every amount.")

    def _money(self, amount: Decimal) -> MoneyV2:
        return MoneyV2.exact(amount, self.view.order.currency_code)

    @strawberry.field(description="The order being edited, as it is now.")
    async def order(self, info: Info) -> Order | None:
        (row,) = await info.context.loaders.order.load_many([self.view.order.id])
        return Order.from_model(row) if row else None

    @strawberry.field(description="The lines after the edit, a page at a time.")
    def line_items(
        self, first: First = None, after: After = None
    ) -> Connection[CalculatedLineItem]:
        request = PageRequest.from_args(first, after)
        codec = CursorCodec(_POSITION, reverse=False, query=None)
        rows = list(enumerate(self.view.lines))
        if after is not None:
            position = codec.decode(after)
            rows = [
                (i, row)
                for i, row in rows
                if (row.position, row.id) > (position.value, position.id)
            ]
        page = first_page([row for _, row in rows[: request.size + 1]], request, codec)
        if after is not None:
            page = replace(page, has_previous_page=True)
        index_of = {row.id: i for i, row in enumerate(self.view.lines)}
        return connection(page, lambda row: _line(self.view, index_of[row.id], row))

    @strawberry.field(description="The lines' totals after discounts, after the edit.")
    def subtotal_price(self) -> MoneyV2:
        return self._money(self.view.priced.subtotal)

    @strawberry.field(description="Everything the discounts take off, after the edit.")
    def total_discounts(self) -> MoneyV2:
        return self._money(self.view.priced.total_discounts)

    @strawberry.field(description="What shipping costs (an edit does not change it).")
    def total_shipping(self) -> MoneyV2:
        return self._money(self.view.priced.total_shipping)

    @strawberry.field(description="Tax on lines and shipping, after the edit.")
    def total_tax(self) -> MoneyV2:
        return self._money(self.view.priced.total_tax)

    @strawberry.field(description="The order's total after the edit.")
    def total_price(self) -> MoneyV2:
        return self._money(self.view.priced.total)

    @strawberry.field(description="The order's total now, before the edit.")
    def original_total_price(self) -> MoneyV2:
        return self._money(self.view.order.total_price)

    @strawberry.field(
        description="What the buyer would owe after the edit: new total - received + "
        "refunded. Negative when the merchant would owe a refund."
    )
    def total_outstanding(self) -> MoneyV2:
        return self._money(self.view.outstanding)

    @classmethod
    def of(cls, view: editing.EditView) -> CalculatedOrder:
        return cls(
            id=strawberry.ID(encode_gid("CalculatedOrder", view.edit.id)),
            view=view,
            status=CalculatedOrderStatus(view.status),
            expires_at=view.edit.expires_at,
            currency_code=getattr(CurrencyCode, view.order.currency_code),
        )


@strawberry.enum(description="Why an order edit mutation refused its input.")
class OrderEditUserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    INVALID_STATE = "INVALID_STATE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_PRICE = "INVALID_PRICE"
    QUANTITY_BELOW_FULFILLED = "QUANTITY_BELOW_FULFILLED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    TOO_LONG = "TOO_LONG"
    ALREADY_COMMITTED = "ALREADY_COMMITTED"
    EXPIRED = "EXPIRED"
    NO_CHANGES = "NO_CHANGES"
    STALE = "STALE"
    IDEMPOTENCY_KEY_MISMATCH = "IDEMPOTENCY_KEY_MISMATCH"


@strawberry.type(description="A problem with the input of an order edit mutation.")
class OrderEditUserError(UserError[OrderEditUserErrorCode]):
    pass


_ERRORS = "Problems with the input; when present, nothing was written."


@strawberry.type(description="The result of a mutation that begins or stages an order edit.")
class OrderEditPayload:
    calculated_order: CalculatedOrder | None = strawberry.field(
        description="The session with its staged changes, priced; null on userErrors."
    )
    user_errors: list[OrderEditUserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The result of orderEditCommit.")
class OrderEditCommitPayload:
    order: Order | None = strawberry.field(
        description="The order after the edit; null on userErrors."
    )
    user_errors: list[OrderEditUserError] = strawberry.field(description=_ERRORS)


@strawberry.input(description="A discount on one line of an order edit.")
class OrderEditAppliedDiscountInput:
    value_type: DiscountValueType = strawberry.field(description="Percentage or fixed amount.")
    value: Decimal = strawberry.field(
        description="10 means 10% for a percentage; an amount in the order's currency otherwise."
    )
    title: str | None = strawberry.field(default=None, description="What it is called.")


def _edit_id(raw: str) -> int:
    return decode_gid(raw, expected="CalculatedOrder").pk


async def _recall(session: AsyncSession, edit_id: Any) -> editing.EditView:
    (found,) = await editing.views(session, [int(edit_id)])
    assert found is not None
    return found


async def _stage(
    info: Info,
    *,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[editing.EditView]],
) -> OrderEditPayload:
    return await mutate_payload(
        info,
        OrderEditPayload,
        OrderEditUserError,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key,
        action=action,
        remember=lambda view: view.edit.id,
        recall=_recall,
        answer=lambda view: OrderEditPayload(
            calculated_order=CalculatedOrder.of(view), user_errors=[]
        ),
    )


_EDIT_ID = Annotated[
    strawberry.ID,
    strawberry.argument(description="The CalculatedOrder's id (from orderEditBegin)."),
]
_LINE_ID = Annotated[
    strawberry.ID,
    strawberry.argument(description="A CalculatedLineItem's id (from the calculated order)."),
]


@strawberry.type
class OrderEditMutations:
    @strawberry.mutation(
        description="Begin editing an open order: a CalculatedOrder session with its lines; "
        "the order changes only on orderEditCommit.",
        extensions=requires("write_orders"),
    )
    async def order_edit_begin(
        self,
        info: Info,
        id: GlobalIdArgument,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderEditPayload:
        pk = decode_gid(id, expected="Order").pk
        return await _stage(
            info,
            operation="orderEditBegin",
            arguments={"id": id, "expectedVersion": expected_version},
            idempotency_key=idempotency_key,
            action=lambda session: editing.begin(
                session,
                order_id=pk,
                expected_version=expected_version,
            ),
        )

    @strawberry.mutation(
        description="Stage units of an item (by SKU, at its catalog price) as a new line.",
        extensions=requires("write_orders"),
    )
    async def order_edit_add_variant(
        self,
        info: Info,
        id: _EDIT_ID,
        sku: Annotated[str, strawberry.argument(description="The SKU to add.")],
        quantity: Annotated[int, strawberry.argument(description="How many units (1 or more).")],
        idempotency_key: IdempotencyKey = None,
    ) -> OrderEditPayload:
        pk = _edit_id(id)
        return await _stage(
            info,
            operation="orderEditAddVariant",
            arguments={"id": id, "sku": sku, "quantity": quantity},
            idempotency_key=idempotency_key,
            action=lambda session: editing.add_variant(
                session,
                edit_id=pk,
                sku=sku,
                quantity=quantity,
            ),
        )

    @strawberry.mutation(
        description="Stage a line's new quantity: never below what was fulfilled; 0 removes "
        "the line's unfulfilled units (or an added line).",
        extensions=requires("write_orders"),
    )
    async def order_edit_set_quantity(
        self,
        info: Info,
        id: _EDIT_ID,
        line_item_id: _LINE_ID,
        quantity: Annotated[int, strawberry.argument(description="Units after the edit.")],
        restock: Annotated[
            bool,
            strawberry.argument(
                description="Put units taken off back to available (else they are written "
                "off on_hand)."
            ),
        ] = True,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderEditPayload:
        pk = _edit_id(id)
        line_pk = decode_gid(line_item_id, expected="CalculatedLineItem").pk
        return await _stage(
            info,
            operation="orderEditSetQuantity",
            arguments={
                "id": id,
                "lineItemId": line_item_id,
                "quantity": quantity,
                "restock": restock,
            },
            idempotency_key=idempotency_key,
            action=lambda session: editing.set_quantity(
                session,
                edit_id=pk,
                line_id=line_pk,
                quantity=quantity,
                restock=restock,
            ),
        )

    @strawberry.mutation(
        description="Stage a discount on one line (a second one replaces the first).",
        extensions=requires("write_orders"),
    )
    async def order_edit_add_line_item_discount(
        self,
        info: Info,
        id: _EDIT_ID,
        line_item_id: _LINE_ID,
        discount: Annotated[
            OrderEditAppliedDiscountInput, strawberry.argument(description="The discount.")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> OrderEditPayload:
        pk = _edit_id(id)
        line_pk = decode_gid(line_item_id, expected="CalculatedLineItem").pk
        given = NewDiscount(discount.value_type, discount.value, discount.title)
        return await _stage(
            info,
            operation="orderEditAddLineItemDiscount",
            arguments={"id": id, "lineItemId": line_item_id, "discount": discount},
            idempotency_key=idempotency_key,
            action=lambda session: editing.add_line_discount(
                session,
                edit_id=pk,
                line_id=line_pk,
                discount=given,
            ),
        )

    @strawberry.mutation(
        description="Apply the staged changes to the order in one transaction: stock, "
        "fulfillment orders, prices and totals; the order's totalOutstanding then shows the "
        "balance due (or, negative, the refund owed). A session commits once.",
        extensions=requires("write_orders"),
    )
    async def order_edit_commit(
        self,
        info: Info,
        id: _EDIT_ID,
        notify_customer: Annotated[
            bool,
            strawberry.argument(description="Mail the buyer the new total and balance."),
        ] = False,
        staff_note: Annotated[
            str | None, strawberry.argument(description="A note for the order's timeline.")
        ] = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> OrderEditCommitPayload:
        pk = _edit_id(id)

        async def recall(session: AsyncSession, order_id: Any) -> tuple[OrderRow, None]:
            row = await orders.get(session, int(order_id))
            assert row is not None
            return row, None

        async def answer(
            committed: tuple[OrderRow, mail.MailMessage | None],
        ) -> OrderEditCommitPayload:
            order, message = committed
            if message is not None:
                await mail.send(message)
            return OrderEditCommitPayload(order=Order.from_model(order), user_errors=[])

        return await mutate_payload(
            info,
            OrderEditCommitPayload,
            OrderEditUserError,
            operation="orderEditCommit",
            arguments={
                "id": id,
                "notifyCustomer": notify_customer,
                "staffNote": staff_note,
                "expectedVersion": expected_version,
            },
            idempotency_key=idempotency_key,
            action=lambda session: editing.commit(
                session,
                edit_id=pk,
                notify_customer=notify_customer,
                staff_note=staff_note,
                expected_version=expected_version,
            ),
            remember=lambda result: result[0].id,
            recall=recall,
            answer=answer,
        )


async def _visible_views(info: Info, ids: Sequence[int]) -> list[editing.EditView | None]:
    async with info.context.db.reading() as session:
        found = await editing.views(session, ids)
    allowed = await info.context.loaders.order.load_many(
        [view.order.id if view else 0 for view in found]
    )
    return [view if view and order else None for view, order in zip(found, allowed, strict=True)]


async def _load_calculated_orders(info: Info, ids: Sequence[int]) -> list[CalculatedOrder | None]:
    return [CalculatedOrder.of(view) if view else None for view in await _visible_views(info, ids)]


async def _load_calculated_lines(info: Info, ids: Sequence[int]) -> list[CalculatedLineItem | None]:
    async with info.context.db.reading() as session:
        rows = {row.id: row for row in await edit_repository.lines_by_id(session, ids)}
    edit_ids = sorted({row.edit_id for row in rows.values()})
    views = dict(zip(edit_ids, await _visible_views(info, edit_ids), strict=True))
    found: list[CalculatedLineItem | None] = []
    for line_id in ids:
        row = rows.get(line_id)
        view = views.get(row.edit_id) if row else None
        index = (
            next((i for i, line in enumerate(view.lines) if line.id == line_id), None)
            if view
            else None
        )
        found.append(_line(view, index, view.lines[index]) if view and index is not None else None)
    return found


register_node("CalculatedOrder", read_scope="read_orders", load=_load_calculated_orders)
register_node("CalculatedLineItem", read_scope="read_orders", load=_load_calculated_lines)
