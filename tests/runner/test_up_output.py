"""What `learnhub up` prints in development: readable log lines, and the banner with the
address and the demo accounts last, under uvicorn's start-up lines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import free_port

START_SECONDS = 90


def _started(log: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_SECONDS
    while True:
        output = log.read_text(errors="replace")
        if "Press Ctrl-C to stop." in output:
            return output
        assert process.poll() is None, f"learnhub up stopped:\n{output}"
        assert time.monotonic() < deadline, f"learnhub up did not start:\n{output}"
        time.sleep(0.2)


def test_up_logs_text_and_prints_the_banner_after_uvicorns_lines(tmp_path: Path) -> None:
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("LEARNHUB_") or name.startswith("LEARNHUB_AUTH_ARGON2")
    }
    log = tmp_path / "up.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "learnhub", "up", "--port", str(port),
             "--data-dir", str(tmp_path / "data")],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        output = _started(log, process)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)

    lines = [line for line in output.splitlines() if line.strip()]
    banner_at = next(n for n, line in enumerate(lines) if "is running at" in line)
    log_lines, banner = lines[:banner_at], lines[banner_at:]
    # readable log lines, uvicorn's among them, none of them JSON
    assert log_lines
    assert not [line for line in log_lines if line.lstrip().startswith("{")]
    assert any(f"Uvicorn running on http://127.0.0.1:{port}" in line for line in log_lines)
    assert any("Application startup complete." in line for line in log_lines)
    # and the banner last: the address, the demo accounts, then how to stop
    assert banner[0].endswith(f"is running at http://127.0.0.1:{port}")
    assert "Demo accounts (e-mail / password):" in banner
    assert any("learner1@example.com" in line for line in banner)
    assert banner[-1] == "Press Ctrl-C to stop."
