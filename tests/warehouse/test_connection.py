"""`from warehouse import connect`: the published file, read-only, never blocked by a build."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from rotation_kernel.errors import ConfigError, PublishError
from rotation_kernel.settings import settings_env
from warehouse import connect
from warehouse.publish import begin_build, next_path, run_lock


class TestConnect:
    def test_connect_reads_the_warehouse_named_by_rotation_warehouse(self, demo_warehouse):
        """No argument: the path comes from the settings (ROTATION_WAREHOUSE)."""
        with settings_env({"warehouse": demo_warehouse}), connect() as con:
            (origin,) = con.execute(
                "select data_origin from meta.runs order by started_at desc limit 1"
            ).fetchone()
            assets = con.execute("select count(*) from marts.dim_asset").fetchone()[0]
        assert origin == "synthetic"
        assert assets == 13

    def test_the_connection_refuses_writes(self, demo_warehouse):
        """Read-only: an analyst cannot change the published warehouse by accident."""
        with connect(demo_warehouse) as con, pytest.raises(duckdb.Error, match="read-only"):
            con.execute("delete from marts.dim_asset")

    def test_a_missing_warehouse_is_a_clear_error_naming_the_path_and_the_fix(self, tmp_path):
        """No file yet: ConfigError says where it looked and how to build one."""
        missing = tmp_path / "nothing.duckdb"
        with pytest.raises(ConfigError) as info:
            connect(missing)
        assert str(info.value) == (
            f"no warehouse at {missing}: run `make demo` (synthetic data) or `rotation run` "
            "first, or point ROTATION_WAREHOUSE at one"
        )
        assert not missing.exists()  # looking never creates an empty database

    def test_reading_works_while_a_run_holds_the_lock_and_builds_next(
        self, demo_warehouse, tmp_path
    ):
        """A build in progress (lock held, `.next` open for writing) does not block readers,
        and they see the published data, not the half-built copy."""
        published = tmp_path / "rotation.duckdb"
        shutil.copyfile(demo_warehouse, published)
        with run_lock(published):
            build = begin_build(published)
            try:
                build.execute("delete from marts.dim_asset")
                with pytest.raises(PublishError), run_lock(published):  # a 2nd writer: refused
                    pass
                with connect(published) as con:  # ...a reader is not
                    assets = con.execute("select count(*) from marts.dim_asset").fetchone()[0]
                assert next_path(published).exists()
            finally:
                build.close()
        assert assets == 13
