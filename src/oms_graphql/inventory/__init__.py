"""Inventory: items, levels with quantity states, the ledger, reservations and transfers."""
