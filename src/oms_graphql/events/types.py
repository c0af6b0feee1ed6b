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
