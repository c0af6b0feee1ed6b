"""Fulfillment: routing rules and decisions stored, fulfillment orders placed and moved."""
