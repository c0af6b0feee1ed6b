"""The event outbox: events written in the same transaction as the change they describe."""

from oms_graphql.events.outbox import record_event
from oms_graphql.events.types import EventType

__all__ = ["EventType", "record_event"]
