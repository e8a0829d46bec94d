"""
The hosted-number inventory: which numbers this project hosts, in a real database.

Where: the database of the Airflow connection ``bandwidth_inventory`` (``[bandwidth] inventory_conn_id``; type
``postgres`` or ``sqlite``, or any URI); without it, the SQLite file ``$AIRFLOW_HOME/bandwidth_inventory.db``.
The schema is versioned by Alembic (:mod:`.migrations`, version table ``bandwidth_inventory_version``); every
writer and reader brings it to the head on first use, ``airflow bandwidth inventory upgrade`` does it by hand.

Tables (:mod:`.schema`):

=====================  ============================================================================================
``number_events``      append-only: what each run did to each number (a row of an import or remove run's report,
                       a loss a health run noticed), unique per (dag, run, number, kind)
``hosted_numbers``     one row per number ever imported: its status now (hosted, removed, lost), the import that
                       brought it in, the removal, the loss; always the fold of its events
``inventory_runs``     each run written (dag, run, kind, report time, when written)
=====================  ============================================================================================

Written (:meth:`.inventory.Inventory.write_run`) by the report task of the import, batch and remove DAGs and by the
health DAG's report, one transaction per run: the run's events are upserted, then every number the run touched
is folded again from all its events in time order with the ledger's rules
(:func:`bandwidth_hosted_messaging.reporting.ledger.apply`). So a retried or re-run report task leaves the same
rows, and runs written in any order give the same inventory. Writers are serialised: ``BEGIN IMMEDIATE`` with a
30 s busy timeout on SQLite, a transaction-level advisory lock on PostgreSQL.

Read (:class:`.inventory.Inventory`) by the health DAG (the hosted numbers to check), the status page (lost
numbers per run, a number's status and history) and its CSV export, with indexed queries. ``airflow bandwidth
inventory backfill`` (:mod:`.backfill`) builds it from the report files, which stay each run's artefact.

Importing this package (and :mod:`.cli`) imports neither SQLAlchemy nor Alembic.
"""
