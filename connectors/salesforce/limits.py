"""Salesforce's documented API limits, stated once.

The connector plans its calls with these numbers and the sandbox fake enforces
them. Sources: the REST API Developer Guide (query batch size, sObject
Collections, URI length), the SOQL and SOSL Reference (OFFSET) and the Bulk
API 2.0 guide.
"""

from __future__ import annotations

from typing import Final

#: REST query: records per page (`Sforce-Query-Options: batchSize` 200..2000).
QUERY_PAGE_MAX: Final = 2_000
QUERY_PAGE_MIN: Final = 200
#: SOQL OFFSET maximum.
QUERY_OFFSET_MAX: Final = 2_000
#: sObject Collections create/update/delete: at most 200 records per call.
COLLECTION_MAX: Final = 200
#: A request URI (with headers) longer than this is refused (HTTP 414).
URI_MAX_BYTES: Final = 16_384
#: The REST API version the connector speaks (Spring '26); `versions.py` checks the org serves it.
API_VERSION: Final = "66.0"
