"""Tests for sources/: wire parsing, paging and HTTP faults against a local server."""
