"""Prefect only: the nightly and backfill flows, thin tasks, task policy, artifacts, hooks."""
