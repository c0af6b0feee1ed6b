"""oms-graphql: a headless order management system with one GraphQL API."""

__version__ = "0.1.0"
