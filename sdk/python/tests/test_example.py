"""The vendor example runs its whole flow against the real server, approved by the person."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness import Served

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "vendor.py"


def test_the_vendor_example_runs_end_to_end(served: Served) -> None:
    example = subprocess.Popen(
        [
            sys.executable,
            str(EXAMPLE),
            "--discovery",
            str(served.discovery_path),
            "--events-secs",
            "1",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert example.stdout is not None
    shown = []
    for line in example.stdout:
        shown.append(line)
        if line.startswith("approve it as the person: selfmodel grant approve "):
            served.cli("grant", "approve", line.split()[-1])
            break
    out, err = example.communicate()
    output = "".join(shown) + out
    assert example.returncode == 0, output + err
    assert f"pin this key: {served.key()}" in output
    assert "proposed belief" in output and "gave up the grant" in output
    [proposed] = served.cli_json("inbox")
    assert proposed["statement"] == "Prefers bullet points for step-by-step instructions"
    [grant] = served.cli_json("grant", "list")
    assert grant["revoked_by"] == "vendor"
