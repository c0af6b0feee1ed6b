"""The scope vocabulary and the implications between scopes."""

from __future__ import annotations

from collections.abc import Iterable

RESOURCES = (
    "orders",
    "draft_orders",
    "inventory",
    "locations",
    "fulfillments",
    "returns",
    "customers",
    "settings",
)

ALL_SCOPES: frozenset[str] = frozenset(
    [f"read_{r}" for r in RESOURCES]
    + [f"write_{r}" for r in RESOURCES]
    + ["read_analytics", "write_reservations", "storefront", "customer"]
)

ADMIN_SCOPES: frozenset[str] = ALL_SCOPES - {"storefront", "customer"}
"""What `serve --demo` and `token --scope admin` grant: everything staff can do."""

_IMPLIED: dict[str, tuple[str, ...]] = {
    **{f"write_{r}": (f"read_{r}",) for r in RESOURCES},
    "write_inventory": ("read_inventory", "write_reservations"),
}


def expand(scopes: Iterable[str]) -> frozenset[str]:
    """Every scope granted, with the implied ones (``write_x`` implies ``read_x``)."""
    granted = set(scopes)
    for scope in list(granted):
        granted.update(_IMPLIED.get(scope, ()))
    return frozenset(granted)
