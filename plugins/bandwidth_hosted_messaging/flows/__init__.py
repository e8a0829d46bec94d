"""
The task chains the DAG files declare, with their Params forms and defaults: :mod:`.import_flow`,
:mod:`.remove_flow`, :mod:`.health_flow`, :mod:`.batch_dags` (one DAG per batch file).
"""
