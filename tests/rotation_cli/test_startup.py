"""rotation_cli/startup.py: Prefect's temporary server starts on a thread while GX warms up."""

from __future__ import annotations

import threading
from typing import ClassVar
from unittest import mock

from prefect.settings import PREFECT_API_URL, temporary_settings

from rotation_cli import startup


class FakeServer:
    started_on: ClassVar[list[str]] = []

    def start(self) -> None:
        FakeServer.started_on.append(threading.current_thread().name)


def test_with_a_configured_server_nothing_is_started():
    with (
        temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}),
        mock.patch("prefect.server.api.server.SubprocessASGIServer") as server,
    ):
        assert startup._start_temporary_server() is None
    server.assert_not_called()


def test_the_server_starts_on_its_own_thread_while_gx_warms_up_here():
    FakeServer.started_on = []
    warmed_on = []
    with (
        temporary_settings({PREFECT_API_URL: None}),
        mock.patch("prefect.server.api.server.SubprocessASGIServer", FakeServer),
        mock.patch(
            "expectations.validate.warm_up",
            lambda: warmed_on.append(threading.current_thread().name),
        ),
    ):
        startup.prepare()
    assert FakeServer.started_on == ["prefect-temporary-server"]
    assert warmed_on == [threading.current_thread().name]


def test_a_server_that_fails_to_start_early_is_logged_not_raised(caplog):
    class Broken:
        def start(self) -> None:
            raise RuntimeError("port in use")

    with (
        temporary_settings({PREFECT_API_URL: None}),
        mock.patch("prefect.server.api.server.SubprocessASGIServer", Broken),
        mock.patch("expectations.validate.warm_up", lambda: None),
    ):
        startup.prepare()
    assert "did not start ahead of the run: port in use" in caplog.text
