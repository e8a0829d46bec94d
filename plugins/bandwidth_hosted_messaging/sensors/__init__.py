"""Sensors: :class:`~.order.TnOrderSensor` waits for an import or remove order, deferring to the triggerer."""
