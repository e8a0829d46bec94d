"""
The names and limits the whole package shares: connection ids, DAG and task ids, asset names, URL paths,
environment variables, and Bandwidth's own limits. Imports nothing, so every layer may import it.
"""

from __future__ import annotations

# ---- connections ------------------------------------------------------------------------------------------
#: The Bandwidth connection (type ``bandwidth``) every hook, operator and DAG uses unless told otherwise.
DEFAULT_CONN_ID = "bandwidth_default"
#: The connection of the public callback URL and the Basic credentials Bandwidth sends with each callback.
CALLBACK_CONN_ID = "bandwidth_callback"
#: The connection type this package registers.
CONN_TYPE = "bandwidth"
#: The database of the hosted-number inventory (any SQLAlchemy database: type ``postgres`` or ``sqlite``, or a URI).
#: Without it, an SQLite file in ``$AIRFLOW_HOME`` (:data:`INVENTORY_SQLITE_FILE`).
INVENTORY_CONN_ID = "bandwidth_inventory"
INVENTORY_SQLITE_FILE = "bandwidth_inventory.db"
#: The inventory's Alembic version table: never ``alembic_version``, so it cannot meet Airflow's own.
INVENTORY_VERSION_TABLE = "bandwidth_inventory_version"

# ---- DAGs and tasks ---------------------------------------------------------------------------------------
IMPORT_DAG = "hosted_messaging_import"
REMOVE_DAG = "hosted_messaging_remove"
HEALTH_DAG = "hosted_numbers_health"
NOTIFICATIONS_DAG = "bandwidth_notifications"
#: A batch file ``acme_dental.yaml`` becomes the DAG ``import_batch_acme_dental``.
BATCH_DAG_PREFIX = "import_batch_"


#: The task groups of one mapped order, and the task every run's report comes from.
IMPORT_ORDER_GROUP = "import_order"
REMOVE_ORDER_GROUP = "remove_order"
REPORT_TASK_ID = "report"
#: The XCom key of an order's API resource URL (pushed by ``create``; the "Bandwidth order" extra link reads it).
ORDER_URL_KEY = "order_url"
#: The step that plans the orders and lets them through (a human-in-the-loop task when a run is large).
APPROVAL_TASK_ID = "approve_orders"
#: The approval step's XCom key of the run's whole plan (its orders, whether or not they were let through).
PLAN_KEY = "plan"
#: ``validate_request``'s XCom key of what every import order of the run carries (site, subscriber, address, LOA
#: person): an order's task pulls that, not the whole request with every number of the run.
ORDER_DETAILS_KEY = "order_details"

# ---- assets (callbacks recorded as asset events) ----------------------------------------------------------
IMPORT_TN_ORDERS_ASSET = ("bandwidth_importtnorders", "bandwidth://importtnorders")
REMOVE_IMPORTED_TN_ORDERS_ASSET = ("bandwidth_removeimportedtnorders", "bandwidth://removeimportedtnorders")
MESSAGING_LOST_ASSET = ("bandwidth_messaging_lost", "bandwidth://events/messaging_lost")

# ---- the API server -------------------------------------------------------------------------------------
#: Where the callback receiver is mounted, and its route under it.
CALLBACK_PREFIX = "/bandwidth"
CALLBACK_PATH = "/bandwidth/callbacks"
#: Where the status page is mounted.
STATUS_PREFIX = "/bandwidth-status"

# ---- environment ------------------------------------------------------------------------------------------
CALLBACK_CONN_ID_ENV = "BANDWIDTH_CALLBACK_CONN_ID"
BATCH_FOLDER_ENV = "BANDWIDTH_BATCH_FOLDER"
HEALTH_CONFIG_ENV = "BANDWIDTH_HEALTH_CONFIG"

# ---- reports ----------------------------------------------------------------------------------------------
REPORT_JSON = "report.json"
REPORT_CSV = "report.csv"
#: The health run's small list of the numbers it found lost (what the ledger reads of a health run).
LOSSES_JSON = "losses.json"
#: How many numbers a log line or an error message lists before "... and N more".
MAX_LISTED = 20

# ---- Bandwidth's limits and ours --------------------------------------------------------------------------
#: Numbers per ``importTnChecker`` request (Bandwidth's documented maximum) and per import or remove order
#: (Bandwidth publishes none; the contract caps the chunk size at 5,000).
CHECKER_MAX_NUMBERS = 5000
ORDER_MAX_NUMBERS = 5000
#: Numbers in one batch (form or batch file): 20 orders of 5,000.
MAX_BATCH_NUMBERS = 100_000
DEFAULT_CHUNK_SIZE = 1000
LOA_MAX_BYTES = 5 * 1024 * 1024
#: Bounds of the waiting fields (forms and batch files), seconds. The lower bound of the poll interval is the
#: deployer's ``[bandwidth] min_poll_interval``.
MAX_POLL_INTERVAL = 24 * 3600
#: The safety poll of a wait, seconds: Bandwidth's callback ends a wait within seconds; this read catches a
#: lost callback (Bandwidth never re-sends one).
DEFAULT_POLL_INTERVAL = 900
MAX_GRACE_PERIOD = 24 * 3600
MAX_WAIT_TIMEOUT = 90 * 24 * 3600
#: The longest deadline a batch file may set before its alert, hours.
MAX_DEADLINE_HOURS = 90 * 24
#: Checker code for numbers Bandwidth already serves (an earlier run imported them).
ALREADY_ON_BANDWIDTH = "19006"

USER_AGENT = "airflow-provider-bandwidth-hosted-messaging/1.0"
