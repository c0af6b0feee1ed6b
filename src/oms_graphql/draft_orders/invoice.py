"""The printable HTML invoice of a draft order (served at ``/invoices/<token>``)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from oms_graphql.addresses import ADDRESS_FIELDS
from oms_graphql.currencies import MINOR_UNITS
from oms_graphql.models import DraftOrder, DraftOrderLine, DraftOrderStatus

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 46rem; margin: 2rem auto;
  padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
table { width: 100%; border-collapse: collapse; margin: 1.2rem 0; }
th, td { text-align: left; padding: .35rem .4rem; border-bottom: 1px solid #ddd; }
td.n, th.n { text-align: right; white-space: nowrap; }
tfoot td { border: none; }
tfoot tr.total td { font-weight: 700; border-top: 2px solid #222; }
.muted { color: #666; }
.status { display: inline-block; padding: .1rem .5rem; border: 1px solid #222; }
@media print { .noprint { display: none; } body { margin: 0; } }
"""


def _money(amount: Decimal, currency: str) -> str:
    """``19.90 EUR``: the currency's decimals (amounts here are exact to them)."""
    shown = amount.quantize(Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2)))
    return f"{shown} {escape(currency)}"


def render_invoice(
    draft: DraftOrder,
    lines: Sequence[DraftOrderLine],
    *,
    channel_name: str,
    order_name: str | None,
) -> str:
    """A complete HTML page; every value from the database is escaped."""
    currency = draft.currency_code
    address = [
        escape(str(value))
        for name in ADDRESS_FIELDS
        if name not in ("latitude", "longitude")
        and (value := getattr(draft, f"shipping_{name}")) is not None
    ]
    rows = "".join(
        "<tr>"
        f"<td>{escape(line.title)}"
        + (f' <span class="muted">{escape(line.sku)}</span>' if line.sku else "")
        + "</td>"
        f'<td class="n">{line.quantity}</td>'
        f'<td class="n">{_money(line.original_unit_price, currency)}</td>'
        f'<td class="n">{_money(line.discounted_total, currency)}</td>'
        "</tr>"
        for line in lines
    )
    totals = [("Subtotal", draft.subtotal_price)]
    if draft.total_discounts:
        totals.insert(0, ("Discounts", -draft.total_discounts))
    if draft.shipping_line_title is not None:
        totals.append((f"Shipping ({draft.shipping_line_title})", draft.total_shipping))
    totals.append(("Tax", draft.total_tax))
    foot = "".join(
        f'<tr><td colspan="3" class="n">{escape(label)}</td>'
        f'<td class="n">{_money(amount, currency)}</td></tr>'
        for label, amount in totals
    )
    foot += (
        '<tr class="total"><td colspan="3" class="n">Total</td>'
        f'<td class="n">{_money(draft.total_price, currency)}</td></tr>'
    )
    if draft.status is DraftOrderStatus.COMPLETED:
        state = f"Completed: order {escape(order_name or '')}"
    else:
        state = "Awaiting payment"
    note = f"<p><strong>Note:</strong> {escape(draft.note)}</p>" if draft.note else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>Invoice {escape(draft.name)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Invoice {escape(draft.name)}</h1>"
        f'<p class="muted">{escape(channel_name)} · issued '
        f"{(draft.invoice_sent_at or draft.updated_at).date().isoformat()}</p>"
        f'<p><span class="status">{state}</span></p>'
        f"<p><strong>Bill to:</strong> {escape(draft.email or '')}<br>"
        f"{'<br>'.join(address)}</p>"
        '<table><thead><tr><th>Item</th><th class="n">Qty</th>'
        '<th class="n">Unit price</th><th class="n">Total</th></tr></thead>'
        f"<tbody>{rows}</tbody><tfoot>{foot}</tfoot></table>"
        f"{note}"
        '<p class="noprint"><button onclick="window.print()">Print</button></p>'
        "</body></html>"
    )
