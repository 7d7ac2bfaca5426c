"""Local orchestration: a Prefect server, the rotation-pool, the deployments and a worker."""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from signal import SIGINT, SIGKILL, SIGTERM
from typing import IO

import requests

from rotation_kernel.errors import PipelineError

POOL = "rotation-pool"
DEFAULT_PORT = 4200
# The server's SQLite database and profile live next to the warehouse they orchestrate.
DEFAULT_HOME = Path("warehouse/.prefect")
PREFECT = [sys.executable, "-m", "prefect"]
_EXISTS = {True: "created", False: "already there"}
BANNER = """
Prefect UI:  {ui}
Work pool:   {pool} (a process worker runs here; flow-run logs follow below)
Deployments: nightly/nightly (cron 30 6 * * *, America/New_York), backfill/backfill (manual)

Trigger a run from another shell:
  PREFECT_API_URL={api} uv run prefect deployment run nightly/nightly
  PREFECT_API_URL={api} uv run prefect deployment run backfill/backfill \\
      --param start=2015-01-01 --param chunk=year
Flow runs read ROTATION_* and FRED_API_KEY from this shell (`rotation emulator`: offline data).
Ctrl-C stops the worker, then the server.
"""
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Looked up here, in the parent: the child runs only this call between fork and exec.
_PRCTL = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


@dataclass
class Stack:
    """One local orchestration stack: where it keeps state, its address, and its processes.

    Args:
        root: the repo root: deploys run there (prefect.yaml, entrypoints, working directory).
        home: PREFECT_HOME of the server (its SQLite database) and of every child process.
        port: loopback port of the API and UI.
        ui: serve the web UI (tests turn it off: it costs seconds at every start).

    The server logs to ``home/server.log``; the worker, which prints the flow-run logs, to
    this process's terminal. The children inherit this process's environment (ROTATION_*).
    """

    root: Path
    home: Path
    port: int = DEFAULT_PORT
    ui: bool = True
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.ui_url}/api"

    @property
    def env(self) -> dict[str, str]:
        """The environment of every child: this process's, aimed at this stack's server."""
        return {
            **os.environ,
            "PREFECT_HOME": str(self.home.resolve()),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(self.port),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": str(self.ui).lower(),
        }

    def exited(self) -> str | None:
        """The name of a child process that has stopped, if any."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)


def start_stack(stack: Stack, pool: str = POOL, say: Callable[[str], object] = print) -> None:
    """Start the server, create the pool, start a worker and deploy everything in prefect.yaml.

    The worker starts before the deploy so that its boot overlaps the deploy's flow imports.

    Args:
        stack: the stack to start; its processes are recorded in ``stack.processes``.
        pool: the process work pool the deployments name.
        say: where progress lines go (startup takes a minute on a small machine).

    Raises:
        PipelineError: when the server does not become healthy or the deploy fails.
    """
    began = time.monotonic()
    stack.home.mkdir(parents=True, exist_ok=True)
    say(f"starting the Prefect server on {stack.ui_url} (database in {stack.home}) ...")
    _spawn(stack, "server", ["server", "start", "--host", "127.0.0.1", "--port", str(stack.port)])
    wait_for_health(stack)
    created = ensure_pool(stack.api_url, pool)
    say(f"server up after {time.monotonic() - began:.0f} s; pool {pool} {_EXISTS[created]}")
    _spawn(stack, "worker", ["worker", "start", "--pool", pool])
    say("deploying prefect.yaml (imports the flows) ...")
    deploy_all(stack)
    say(f"deployed after {time.monotonic() - began:.0f} s")


def stop_stack(stack: Stack) -> None:
    """Stop the worker first (it reports to the server while it shuts down), then the server."""
    for name in ("worker", "server"):
        if name in stack.processes:
            stop_process(stack.processes.pop(name))


def wait_for_health(stack: Stack, timeout_s: float = 120.0) -> None:
    """Poll ``/api/health`` until the server answers (it takes 12-25 s on two cores).

    Raises:
        PipelineError: when the server process exits or the deadline passes first.
    """
    loopback = requests.Session()
    loopback.trust_env = False  # no proxy between us and 127.0.0.1
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if stack.exited() == "server":
            raise PipelineError(f"the Prefect server exited at startup; see {_server_log(stack)}")
        try:
            if loopback.get(f"{stack.api_url}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass  # not listening yet
        time.sleep(0.25)
    raise PipelineError(f"the Prefect server was not healthy after {timeout_s:.0f} s")


def ensure_pool(api_url: str, pool: str = POOL) -> bool:
    """Create the process work pool unless it exists (an existing pool keeps its settings).

    The pool allows one flow run at a time: the warehouse has a single writer, so a backfill
    waits for the nightly run in the queue instead of failing on the run lock.

    Returns:
        True when the pool was created, False when it was already there.
    """
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    spec = WorkPoolCreate(
        name=pool,
        type="process",
        description="Runs the liquidity-rotation flows as local subprocesses",
        base_job_template=ProcessWorker.get_default_base_job_template(),
        concurrency_limit=1,
    )
    with SyncPrefectClient(api_url) as client:
        try:
            client.create_work_pool(spec)
        except ObjectAlreadyExists:
            return False
    return True


def deploy_all(stack: Stack) -> str:
    """Run ``prefect --no-prompt deploy --all`` from the repo root.

    Returns:
        The command's output.

    Raises:
        PipelineError: with the output's tail when the deploy fails.
    """
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [*PREFECT, "--no-prompt", "deploy", "--all"],
        cwd=stack.root,
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise PipelineError(f"prefect deploy --all failed ({done.returncode}):\n{tail}")
    return output


def stop_process(proc: subprocess.Popen, grace_s: float = 20.0, term_s: float = 5.0) -> int:
    """Stop a child and everything in its process group: SIGINT, then SIGTERM, then SIGKILL.

    Prefect's CLI treats a second signal as "kill now", so SIGTERM after the grace period
    ends a worker that is stuck shutting down.

    Args:
        proc: a child started in its own session (its pid is its process group id).
        grace_s: how long SIGINT (Ctrl-C: a clean stop) may take.
        term_s: how long SIGTERM may take before SIGKILL.

    Returns:
        The child's exit code (negative: the signal that ended it).
    """
    for sig, wait_s in ((SIGINT, grace_s), (SIGTERM, term_s), (SIGKILL, term_s)):
        if proc.poll() is not None:
            break
        _signal_group(proc.pid, sig)
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
    # The leader is gone; a grandchild (uvicorn, a flow-run process) may still hold the group.
    _signal_group(proc.pid, SIGKILL)
    return proc.wait()


def serve(
    port: int = DEFAULT_PORT, home: Path = DEFAULT_HOME, root: Path | None = None, ui: bool = True
) -> int:
    """Run the local stack in the foreground until Ctrl-C (SIGINT) or SIGTERM.

    Args:
        port: loopback port of the Prefect API and UI.
        home: PREFECT_HOME: the server's database (relative paths are under the repo root).
        root: the repo root (default: the current directory, which must hold prefect.yaml).
        ui: serve the web UI (``--no-ui`` saves a few seconds at start, e.g. in tests).

    Returns:
        0 after a clean stop, 1 when startup failed or a child process died.
    """
    root = (root or Path.cwd()).resolve()
    if not (root / "prefect.yaml").is_file():
        print(f"no prefect.yaml in {root}: run this from the repo root", file=sys.stderr)
        return 1
    stack = Stack(root=root, home=root / home, port=port, ui=ui)
    # Set both explicitly: a shell's background job starts with SIGINT ignored.
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (SIGINT, SIGTERM)}
    try:
        start_stack(stack, say=lambda line: print(line, flush=True))
        print(BANNER.format(ui=stack.ui_url, api=stack.api_url, pool=POOL), flush=True)
        while (dead := stack.exited()) is None:
            time.sleep(1.0)
        print(f"the Prefect {dead} stopped unexpectedly; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping the worker, then the server ...")
        return 0
    except PipelineError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave orphans behind.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        stop_stack(stack)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("stopped")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _spawn(stack: Stack, name: str, args: list[str]) -> None:
    """Start ``prefect <args>`` in its own process group, so that stopping it stops its children."""
    out: IO[bytes] | None = _server_log(stack).open("ab") if name == "server" else None
    try:
        stack.processes[name] = subprocess.Popen(  # noqa: S603 - our interpreter, fixed args
            [*PREFECT, *args],
            cwd=stack.root,
            env=stack.env,
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            start_new_session=True,
            preexec_fn=_child_setup,
        )
    finally:
        if out is not None:
            out.close()  # the child holds its own copy of the descriptor


def _child_setup() -> None:
    """In the child, between fork and exec: default signals, and die with this process.

    A shell starts background jobs with SIGINT ignored, and children inherit that; Prefect's
    CLI stops gracefully by re-sending SIGINT to itself, which then needs the default handler.
    PDEATHSIG sends SIGTERM when this process dies, even by SIGKILL: no orphaned server.
    """
    with suppress(ValueError):  # only possible from the main thread; callers are there
        signal.signal(SIGINT, signal.SIG_DFL)
        signal.signal(SIGTERM, signal.SIG_DFL)
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(SIGTERM))


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):  # the whole group has exited
        os.killpg(pgid, sig)


def _server_log(stack: Stack) -> Path:
    return stack.home / "server.log"


def main(argv: list[str] | None = None) -> int:
    """``python -m rotation_cli.serve [--port N] [--home DIR] [--no-ui]``."""
    parser = argparse.ArgumentParser(prog="python -m rotation_cli.serve", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="loopback port")
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="PREFECT_HOME")
    parser.add_argument("--no-ui", action="store_true", help="API only, no web UI")
    args = parser.parse_args(argv)
    return serve(port=args.port, home=args.home, ui=not args.no_ui)


if __name__ == "__main__":
    sys.exit(main())
