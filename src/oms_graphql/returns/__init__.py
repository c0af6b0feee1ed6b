"""Returns: requests, approvals, reverse logistics and dispositions into inventory."""
