"""Customers: the people who order, found by email, name, country, tags."""
