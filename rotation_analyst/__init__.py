"""The analyst's side of the warehouse: read-only access, status, queries, exports, the report."""
