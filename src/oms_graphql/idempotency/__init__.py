"""Idempotency keys: a repeated mutation changes nothing and answers with the first result."""
