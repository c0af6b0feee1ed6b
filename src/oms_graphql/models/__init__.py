"""ORM classes, one module per aggregate. Importing this package registers every table."""

from oms_graphql.models.channel import Channel, ChannelKind, location_channels
from oms_graphql.models.customer import Customer, CustomerTag
from oms_graphql.models.event import Event
from oms_graphql.models.idempotency import IdempotencyKey
from oms_graphql.models.inventory import (
    STORED_QUANTITIES,
    InventoryAdjustmentGroup,
    InventoryChange,
    InventoryItem,
    InventoryLevel,
    InventoryPolicy,
    InventoryReason,
    InventoryTransfer,
    InventoryTransferLine,
    Reservation,
    ReservationLine,
    ReservationStatus,
    TransferStatus,
    WeightUnit,
)
from oms_graphql.models.location import Location, LocationKind

__all__ = [
    "STORED_QUANTITIES",
    "Channel",
    "ChannelKind",
    "Customer",
    "CustomerTag",
    "Event",
    "IdempotencyKey",
    "InventoryAdjustmentGroup",
    "InventoryChange",
    "InventoryItem",
    "InventoryLevel",
    "InventoryPolicy",
    "InventoryReason",
    "InventoryTransfer",
    "InventoryTransferLine",
    "Location",
    "LocationKind",
    "Reservation",
    "ReservationLine",
    "ReservationStatus",
    "TransferStatus",
    "WeightUnit",
    "location_channels",
]
