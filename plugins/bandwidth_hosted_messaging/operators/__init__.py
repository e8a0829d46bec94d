"""
The operators of the import, remove and health flows, one module each:

=================  ==========================================================================================
``request``        :class:`ValidateRequestOperator`: check the form's or batch's request before any API call
``subscriptions``  :class:`EnsureSubscriptionOperator`: one callback subscription per order type and URL
``checker``        :class:`CheckImportabilityOperator`: the site, its SIP peer, ``importTnChecker``
``plan``           :func:`plan_orders`: chunks with deterministic CustomerOrderIds (``approve_orders`` plans)
``approval``       :class:`ApproveOrdersOperator`: plan, then order, hold for a person's approval, or dry-run
``orders``         :class:`CreateTnOrderOperator`: create one import or remove order, idempotently
``loa``            :class:`UploadLoaOperator`: the LOA file to a completed import order
``verify``         :class:`VerifyNumbersOperator`: the numbers in service (import) or out of it (remove)
``report``         :class:`ReportOperator`: one row per number, CSV and JSON
``health``         :class:`CheckHostedNumbersOperator`, :class:`HealthReportOperator`
=================  ==========================================================================================

The wait between ``orders`` and ``loa`` is :class:`~bandwidth_hosted_messaging.sensors.order.TnOrderSensor`.
"""
