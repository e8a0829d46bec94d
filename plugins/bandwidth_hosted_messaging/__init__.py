"""
Bandwidth hosted-messaging import for Apache Airflow: hook, operators, sensor, trigger, plugins.

The import package is ``bandwidth_hosted_messaging``, a name no Bandwidth package uses (Bandwidth's SDK installs
``bandwidth``), in the distribution ``airflow-provider-bandwidth-hosted-messaging``.
"""

from __future__ import annotations

__version__ = "1.0.0"


def get_provider_info() -> dict:
    """Describe this package to Airflow's provider manager (it registers the ``bandwidth`` connection type)."""
    return {
        "package-name": "airflow-provider-bandwidth-hosted-messaging",
        "name": "Bandwidth hosted messaging",
        "description": "Import customer phone numbers into Bandwidth for Hosted Messaging.",
        "versions": [__version__],
        "extra-links": [
            "bandwidth_hosted_messaging.reporting.links.HostedMessagingReportLink",
            "bandwidth_hosted_messaging.reporting.links.BandwidthOrderLink",
        ],
        # The run notifications (email, Slack) the import and remove DAGs attach as callbacks.
        "notifications": ["bandwidth_hosted_messaging.notifiers.RunNotifier"],
        # `airflow bandwidth inventory upgrade|backfill` (the module imports no SQLAlchemy: Airflow loads it on
        # every `airflow` command).
        "cli": ["bandwidth_hosted_messaging.inventory.cli.get_cli_commands"],
        "connection-types": [
            {
                "connection-type": "bandwidth",
                "hook-class-name": "bandwidth_hosted_messaging.hooks.bandwidth.BandwidthHook",
                "hook-name": "Bandwidth",
                "conn-fields": {
                    "account_id": {
                        "label": "Account ID",
                        "description": "Your Bandwidth account id (the number in /accounts/{accountId}/...).",
                        "schema": {"type": ["string", "null"]},
                    },
                    "auth_type": {
                        "label": "Auth type",
                        "description": (
                            "oauth2 (client credentials, the default and the way in), or basic (an API user: "
                            "deprecated, Bandwidth decommissions it on 2026-12-02)."
                        ),
                        "schema": {"type": ["string", "null"], "default": "oauth2", "enum": ["oauth2", "basic"]},
                    },
                    # Not "token_url": Airflow masks every field whose name contains "token" (the form then saved
                    # "***"). A connection that still has token_url is read as before.
                    "oauth_url": {
                        "label": "OAuth2 token URL",
                        "description": "Client-credentials token endpoint (the same for API v1 and v2).",
                        "schema": {
                            "type": ["string", "null"],
                            "default": "https://api.bandwidth.com/api/v1/oauth2/token",
                        },
                    },
                    "timeout": {
                        "label": "Request timeout (seconds)",
                        "schema": {"type": ["number", "null"], "default": 30},
                    },
                    "max_attempts": {
                        "label": "Attempts per call",
                        "description": (
                            "Retries of connection errors, 5xx and 429 (with Retry-After / X-RateLimit-Reset)."
                        ),
                        "schema": {"type": ["integer", "null"], "default": 6},
                    },
                    "retry_delay": {
                        "label": "First retry backoff (seconds)",
                        "description": "Doubled with each attempt, with jitter; a 429's reset time wins over it.",
                        "schema": {"type": ["number", "null"], "default": 1},
                    },
                },
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port", "extra"],
                    "relabeling": {
                        "host": "API base URL (its path picks the version: /api/v2 is v2; /api, /api/v1, /v1.0 are v1)",
                        "login": "Client ID (OAuth2) or username (basic)",
                        "password": "Client secret (OAuth2) or password (basic)",
                    },
                    "placeholders": {
                        "host": "https://api.bandwidth.com/api/v2",
                        "login": "OAuth2 client id",
                        "password": "OAuth2 client secret",
                    },
                },
            }
        ],
    }
