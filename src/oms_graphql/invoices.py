"""``GET /invoices/<token>``: a draft order's printable invoice, for whoever has the link
that ``draftOrderInvoiceSend`` mailed (the token is the only key: 144 random bits)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from oms_graphql.draft_orders import repository
from oms_graphql.draft_orders.invoice import render_invoice
from oms_graphql.orders import repository as orders
from oms_graphql.runtime import Runtime

TOKEN_MAX = 64


async def invoice_page(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    token = str(request.path_params.get("token", ""))
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    if not token or len(token) > TOKEN_MAX:
        return HTMLResponse("<h1>Invoice not found</h1>", status_code=404, headers=headers)
    async with runtime.database.reading() as session:
        draft = await repository.by_invoice_token(session, token)
        if draft is None:
            return HTMLResponse("<h1>Invoice not found</h1>", status_code=404, headers=headers)
        lines = await repository.lines_of(session, [draft.id])
        channel = await repository.channel_handle(session, draft.channel_id)
        order = await orders.get(session, draft.order_id) if draft.order_id else None
    page = render_invoice(
        draft, lines, channel_name=channel, order_name=order.name if order else None
    )
    return HTMLResponse(page, headers=headers)
