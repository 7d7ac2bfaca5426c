"""Tests of rotation_kernel: errors, settings, contract, JSON page readers, progress events."""
