"""Tests for flows/sources: wire parsing, paging and HTTP faults against a local server."""
