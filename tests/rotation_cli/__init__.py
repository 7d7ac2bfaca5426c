"""Tests of the rotation command line (rotation_cli)."""
