"""rotation_cli.serve's process lifecycle on Python children: stop order, escalation, no orphans.

The real server, worker and deploy run in tests/flows/test_deployment.py (integration).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

import rotation_cli.serve
from rotation_cli.serve import Stack, serve, stop_process

# Children print a line when their signal handlers are in place, so the test never races them.
# Their `time.sleep(60)` is not a wait in the test: it keeps the child alive until the test
# signals it (within seconds), and bounds its life if a failed test leaves it behind.
GRACEFUL = """
import signal, sys, time
signal.signal(signal.SIGINT, lambda *_: sys.exit(3))
print("ready", flush=True)
time.sleep(60)
"""
STUBBORN = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""
# The leader stops on SIGINT; the grandchild it started ignores every polite signal.
LEADER_WITH_STUBBORN_CHILD = f"""
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", {STUBBORN!r}], stdout=subprocess.PIPE, text=True)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""
# A stand-in for rotation_cli.serve: starts a child the way _spawn does, then waits to be killed.
PARENT = """
import subprocess, sys, time
from rotation_cli.serve import _child_setup
child = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(60)"],
    preexec_fn=_child_setup, start_new_session=True,
)
print(child.pid, flush=True)
time.sleep(60)
"""
SHOW_SIGINT = "import signal; print(signal.getsignal(signal.SIGINT).__name__)"


def start(script: str) -> tuple[subprocess.Popen, str]:
    """Start ``script`` in its own session, as rotation_cli.serve does; read its first line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    return proc, proc.stdout.readline().strip()


def gone_within(pid: int, timeout_s: float) -> bool:
    try:
        psutil.Process(pid).wait(timeout=timeout_s)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        return False
    return True


class TestStopProcess:
    def test_a_child_that_stops_on_ctrl_c_is_given_sigint_only(self):
        """SIGINT is the clean stop: the child's own handler decides the exit code (3)."""
        proc, _ = start(GRACEFUL)
        assert stop_process(proc, grace_s=10) == 3  # its handler's code: not SIGTERM, not SIGKILL

    def test_a_child_ignoring_sigint_and_sigterm_is_killed(self):
        """After the grace periods, SIGKILL: the exit code is -9."""
        proc, _ = start(STUBBORN)
        assert stop_process(proc, grace_s=0.2, term_s=0.2) == -signal.SIGKILL

    def test_a_grandchild_left_in_the_group_is_killed_after_its_leader_exits(self):
        """The leader stops on SIGINT; its group is swept so nothing outlives it."""
        proc, grandchild = start(LEADER_WITH_STUBBORN_CHILD)
        assert stop_process(proc, grace_s=10) != 0  # KeyboardInterrupt in the leader
        assert gone_within(int(grandchild), 5)


class TestChildSetup:
    def test_a_child_of_a_killed_parent_is_terminated_not_orphaned(self):
        """PDEATHSIG: SIGKILL on the parent (serve) still ends the child (the server)."""
        parent, child = start(PARENT)
        parent.kill()
        parent.wait()
        assert gone_within(int(child), 10)

    def test_a_child_gets_the_default_sigint_even_when_the_parent_ignores_it(self):
        """Background shells ignore SIGINT; Prefect's CLI needs it to stop gracefully."""
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            shown = subprocess.run(
                [sys.executable, "-c", SHOW_SIGINT],
                preexec_fn=rotation_cli.serve._child_setup,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        finally:
            signal.signal(signal.SIGINT, previous)
        # Python installs default_int_handler only when SIGINT is not ignored at start.
        assert shown == "default_int_handler"


class TestServe:
    def test_the_stack_environment_aims_every_child_at_its_own_server(self, tmp_path):
        """Children get an absolute PREFECT_HOME, the loopback API URL and no analytics."""
        env = Stack(root=tmp_path, home=Path("relative/home"), port=4321, ui=False).env
        assert env["PREFECT_HOME"] == str(Path("relative/home").resolve())
        assert env["PREFECT_API_URL"] == "http://127.0.0.1:4321/api"
        assert (env["PREFECT_SERVER_API_HOST"], env["PREFECT_SERVER_API_PORT"]) == (
            "127.0.0.1",
            "4321",
        )
        assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
        assert env["PREFECT_UI_ENABLED"] == "false"

    def test_serve_outside_the_repo_root_says_so_and_starts_nothing(self, tmp_path, capsys):
        """No prefect.yaml in the directory: exit code 1 before any process starts."""
        assert serve(root=tmp_path) == 1
        assert capsys.readouterr().err == (
            f"no prefect.yaml in {tmp_path}: run this from the repo root\n"
        )

    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            pytest.param(
                [], {"port": 4200, "home": Path("warehouse/.prefect"), "ui": True}, id="defaults"
            ),
            pytest.param(
                ["--port", "4300", "--home", "/tmp/h", "--no-ui"],
                {"port": 4300, "home": Path("/tmp/h"), "ui": False},
                id="options",
            ),
        ],
    )
    def test_the_command_line_passes_port_home_and_ui_to_serve(self, monkeypatch, argv, expected):
        """`python -m rotation_cli.serve` options map one to one onto serve()'s arguments."""
        calls = []
        monkeypatch.setattr(rotation_cli.serve, "serve", lambda **kw: calls.append(kw) or 0)
        assert rotation_cli.serve.main(argv) == 0
        assert calls == [expected]
