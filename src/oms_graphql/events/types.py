"""Every event type, stored in its dotted lower-case form."""

from __future__ import annotations

import enum


class EventType(enum.StrEnum):
    LOCATION_CREATED = "location.created"
    LOCATION_UPDATED = "location.updated"
    LOCATION_ACTIVATED = "location.activated"
    LOCATION_DEACTIVATED = "location.deactivated"
    CHANNEL_CREATED = "channel.created"
    CHANNEL_UPDATED = "channel.updated"
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    INVENTORY_ITEM_CREATED = "inventory_item.created"
    INVENTORY_ITEM_UPDATED = "inventory_item.updated"
    INVENTORY_LEVEL_ACTIVATED = "inventory.level_activated"
    INVENTORY_LEVEL_CHANGED = "inventory.level_changed"
    INVENTORY_LOW_STOCK = "inventory.low_stock"
    RESERVATION_CREATED = "reservation.created"
    RESERVATION_EXTENDED = "reservation.extended"
    RESERVATION_RELEASED = "reservation.released"
    RESERVATION_EXPIRED = "reservation.expired"
    TRANSFER_CREATED = "inventory_transfer.created"
    TRANSFER_SHIPPED = "inventory_transfer.shipped"
    TRANSFER_RECEIVED = "inventory_transfer.received"
