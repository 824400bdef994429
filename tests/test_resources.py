"""Shipped catalogs and templates are found however designer is run: from a plain checkout (the
source tree first on ``sys.path``, as for a script run from the repository root after a
non-editable ``pip install .``), and from a built wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT

# The script a procurement user runs from the repository root. Any finder an install added for
# the package is removed first, so only the source tree can supply `designer`: a checkout.
PLAIN_CHECKOUT = """
import sys
sys.meta_path = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                 and "editable" not in type(f).__name__.lower()]
import designer
from designer.outputs.templating import environment
assert designer.__file__.startswith(sys.argv[1]), designer.__file__
catalog = designer.load_catalog()
assert "MQM9700-NS2F" in catalog.switches
environment().get_template("report.md.j2")
result = designer.design(designer.load_demand("examples/lab-16.yaml"), catalog)
print(len(designer.shipped_catalog_names()), result.optimal)
"""


def test_the_api_runs_from_a_plain_checkout():
    done = subprocess.run([sys.executable, "-c", PLAIN_CHECKOUT, str(ROOT)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "True"]


def test_missing_shipped_data_is_a_clear_error(monkeypatch, tmp_path):
    from designer import resources
    from designer.errors import DesignerError

    def no_package(name):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(resources.resources, "files", no_package)
    monkeypatch.setattr(resources, "__file__", str(tmp_path / "designer" / "resources.py"))
    with pytest.raises(DesignerError, match="the shipped catalogs are missing"):
        resources.shipped("catalogs")


@pytest.mark.slow
def test_the_wheel_carries_the_catalogs_and_templates(tmp_path):
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("designer", "catalogs", "templates"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path),
                           str(source)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("designer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"designer/catalogs/{p.name}" for p in (ROOT / "catalogs").glob("*.yaml")}
    shipped |= {f"designer/templates/{p.name}" for p in (ROOT / "templates").glob("*.j2")}
    assert shipped <= names
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "designer").rglob("*.py")}
    assert {f"{package}/__init__.py" for package in packages} <= names  # every sub-package
