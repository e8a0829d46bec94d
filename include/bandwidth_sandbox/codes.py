"""Bandwidth error codes used by the sandbox, with their descriptions."""

from __future__ import annotations

CHECKER = {
    19001: "Telephone number is not in service",
    19002: "Telephone number is not in inventory and failed the NPAC check",
    19003: "Telephone number is in a blacklisted losing account",
    19004: "Telephone number is in an unmigrated losing account",
    19005: "Messaging route is not configured for this telephone number",
    19006: "Bandwidth numbers cannot be imported by this account at this time",
    19007: "Account is not contracted for importing external numbers",
    19008: "Non-Bandwidth numbers cannot be imported at this time",
    19009: "No messaging route found for this telephone number",
    19010: "Unable to provision this telephone number",
    19011: "Telephone number cannot be imported",
    19012: "Account has not been migrated to the new messaging platform",
}

ORDER = {
    5016: "The SiteId submitted is invalid",
    5020: "The site has no default SIP peer",
    5023: "The SIP peer submitted is invalid",
    5158: "Telephone number hasn't been previously imported",
    7205: "Telephone number is already being processed on another order",
    7206: "Telephone number is already in service",
    7518: "Telephone number not active",
}

GENERAL = {
    1001: "Access denied",
    1003: "Required field is missing",
    1008: "Id is not a valid UUID",
    1010: "Field has an invalid value",
    1011: "Field is too long",
    1022: "Telephone numbers must be E.164 formatted. Retry request with all E.164 formatted phone numbers",
    5149: "importTnOrder API is not enabled",
    5150: "importTnOrder API is not allowed for this account",
    5165: "NANP and international telephone numbers cannot be mixed",
    7201: "Invalid telephone number",
    7203: "Duplicate telephone numbers",
    7309: "SiteId is missing or invalid",
    7310: "The site has no default SIP peer; a SipPeerId is required",
    7312: "SipPeerId is invalid",
    7314: "Too many telephone numbers",
    12016: "Site does not exist",
    14500: "OrderType is required",
    14503: "Callback URL is required",
    14505: "Basic authentication requires both Username and Password",
    14506: "Callback URL is invalid",
    14507: "Expiry must be a positive number of seconds",
    15501: "Invalid date",
    15518: "Invalid status",
    16000: "Subscription not found",
    16008: "Duplicate subscription",
    7639: "Unknown documentType",
    7640: "documentType is required",
    7641: "documentType in query and header do not match",
    7642: "Unsupported file type",
    7643: "File is too large",
    7644: "LOA files may only be uploaded for completed orders",
    7645: "LOA file not found",
    7800: "Document name is longer than 50 characters",
}


def describe(code: int | str) -> str:
    try:
        c = int(code)
    except (TypeError, ValueError):
        return str(code)
    for table in (CHECKER, ORDER, GENERAL):
        if c in table:
            return table[c]
    return f"Telephone number failed with code {c}"
