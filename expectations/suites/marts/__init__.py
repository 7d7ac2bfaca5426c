"""Suites guarding the marts, one module per mart table."""
