"""The suite collects every app's tests: an app left out of pytest's
``testpaths`` would have tests that never run in CI."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_app_with_tests_is_collected():
    testpaths = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"])
    apps_with_tests = {path.parent.parent.name for path in ROOT.glob("*/tests/__init__.py")}

    assert apps_with_tests <= testpaths, apps_with_tests - testpaths
