"""
The Bandwidth hooks: :class:`~.bandwidth.BandwidthHook` (sync, for operators) and
:class:`~.bandwidth_async.BandwidthAsyncHook` (aiohttp, for triggers). Import each from its module, so that an
operator's process never imports aiohttp and a trigger's never imports requests.
"""
