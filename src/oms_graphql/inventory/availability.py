"""What a storefront shows: per SKU, how many units each location can sell or hand over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from oms_graphql.channels import repository as channels
from oms_graphql.errors import BadUserInput
from oms_graphql.geo import distance_km
from oms_graphql.inventory import repository
from oms_graphql.models import InventoryItem, InventoryPolicy, Location

MAX_SKUS = 250


@dataclass(frozen=True, slots=True)
class GeoPoint:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class LocationAvailability:
    location: Location
    available: int
    pickup_available: bool
    distance_km: float | None


@dataclass(slots=True)
class SkuAvailability:
    sku: str
    item: InventoryItem | None
    total_available: int = 0
    locations: list[LocationAvailability] = field(default_factory=list)

    @property
    def backorderable(self) -> bool:
        """Sellable beyond stock: untracked, or CONTINUE selling when out of stock."""
        item = self.item
        return item is not None and (
            not item.tracked or item.inventory_policy == InventoryPolicy.CONTINUE
        )


def _check(skus: Sequence[str], near: GeoPoint | None, quantity: int | None) -> None:
    if len(skus) > MAX_SKUS:
        raise BadUserInput(f"ask for at most {MAX_SKUS} SKUs at once", argument="skus")
    if quantity is not None and quantity < 1:
        raise BadUserInput("quantity must be at least 1", argument="quantity")
    if near is not None and not (-90 <= near.latitude <= 90 and -180 <= near.longitude <= 180):
        raise BadUserInput(
            "near: latitude must be -90..90 and longitude -180..180", argument="near"
        )


def _distance(near: GeoPoint | None, location: Location) -> float | None:
    if near is None or location.latitude is None or location.longitude is None:
        return None
    return round(
        distance_km(near.latitude, near.longitude, location.latitude, location.longitude), 1
    )


async def availability(
    session: AsyncSession,
    *,
    skus: Sequence[str],
    near: GeoPoint | None = None,
    quantity: int | None = None,
    channel: str | None = None,
) -> list[SkuAvailability]:
    """One entry per SKU asked, in the order asked: two statements whatever the sizes
    (a third checks ``channel`` when one is given).

    Locations count when active and fulfilling online orders or offering pickup (and serving
    ``channel`` when given); with ``quantity`` only those able to serve it are listed; with
    ``near`` the nearest come first. Expired holds no longer count, swept or not.
    """
    _check(skus, near, quantity)
    if channel is not None and await channels.get_by_handle(session, channel) is None:
        raise BadUserInput(f"no channel has handle {channel!r}", argument="channel")
    items = await repository.items_by_sku(session, skus)
    found = await repository.sellable(
        session, [item.id for item in items.values()], channel=channel
    )
    by_item: dict[int, SkuAvailability] = {
        item.id: SkuAvailability(sku, item) for sku, item in items.items()
    }
    wanted = quantity or 1
    distances: dict[int, float | None] = {}
    for item_id, available, location in found:
        entry = by_item[item_id]
        units = max(available, 0)
        entry.total_available += units
        if quantity is not None and units < quantity and not entry.backorderable:
            continue
        if location.id not in distances:
            distances[location.id] = _distance(near, location)
        distance = distances[location.id]
        entry.locations.append(
            LocationAvailability(
                location=location,
                available=units,
                pickup_available=location.pickup_enabled
                and (units >= wanted or entry.backorderable),
                distance_km=distance,
            )
        )
    if near is not None:
        for entry in by_item.values():
            entry.locations.sort(key=lambda la: (la.distance_km is None, la.distance_km or 0.0))
    return [by_item[items[sku].id] if sku in items else SkuAvailability(sku, None) for sku in skus]
