"""Triggers that run in the triggerer: :class:`~.order.TnOrderTrigger` waits for an order's final status."""
