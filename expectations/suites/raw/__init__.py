"""Suites guarding the raw tables, one module per table (``<source>__<resource>.py``)."""
