"""Fixtures: the ``selfmodel`` binary (``$SELFMODEL_BIN``, required), one demo vault per run,
and a real server per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

import pytest
from harness import Served, make_demo_vault


def pytest_configure(config: pytest.Config) -> None:
    binary = os.environ.get("SELFMODEL_BIN")
    if not binary:
        raise pytest.UsageError(
            "SELFMODEL_BIN is not set: point it at a built `selfmodel` binary, e.g. "
            "SELFMODEL_BIN=target/debug/selfmodel (the tests run the real server)"
        )
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        raise pytest.UsageError(f"SELFMODEL_BIN={binary} is not an executable file")


@pytest.fixture(scope="session")
def demo_vault() -> bytes:
    """A demo vault's bytes, made once per run with ``selfmodel demo``."""
    return make_demo_vault()


@pytest.fixture
def serve(demo_vault: bytes) -> Iterator[Callable[..., Served]]:
    """Starts servers on copies of the demo vault (``serve(extra_args, port=0)``); all of them
    are stopped and removed after the test."""
    started: list[Served] = []

    def start(extra: Sequence[str] = (), port: int = 0) -> Served:
        s = Served(demo_vault, extra, port)
        started.append(s)
        return s

    yield start
    for s in started:
        s.close()


@pytest.fixture
def served(serve: Callable[..., Served]) -> Served:
    """A server on its own copy of the demo vault."""
    return serve()
