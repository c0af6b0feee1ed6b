"""ORM classes, one module per aggregate. Importing this package registers every table."""

from oms_graphql.models.location import Location, LocationKind

__all__ = ["Location", "LocationKind"]
