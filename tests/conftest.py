"""Shared fixtures: the repository root, example designs (solved once per session), goldens."""

from __future__ import annotations

from pathlib import Path

import pytest

import designer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite tests/golden/ from the current outputs instead of comparing.")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def shipped_catalog():
    return designer.load_catalog()


_designs: dict[str, object] = {}


def solved_example(path: Path | str):
    """The design of a shipped example (a path, or a name: ``"lab-16"``), solved once per test
    session: every test that needs an example's design shares this one."""
    path = Path(path) if "/" in str(path) else ROOT / "examples" / f"{path}.yaml"
    if path.name not in _designs:
        _designs[path.name] = designer.design(designer.load_demand(path))
    return _designs[path.name]
