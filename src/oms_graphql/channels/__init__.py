"""Channels: where orders come from, named by an immutable handle."""
