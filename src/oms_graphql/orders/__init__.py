"""Orders: pricing, the order lifecycle, payments and the order's fulfillment orders."""
