"""Locations: warehouses, stores and third-party fulfillment services."""
