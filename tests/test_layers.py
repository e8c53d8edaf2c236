"""The import contracts cover every view module, and the app registers every blueprint's routes."""
import tomllib
from pathlib import Path

from backpack.config import ROOT


def _contract(kind: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == kind]
    return contract


def _protected() -> set[str]:
    return set(_contract("protected")["protected_modules"])


def _view_modules() -> set[str]:
    package = ROOT / "backpack"
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in package.glob("*/*.py")
        if path.stem == "views" or path.stem.endswith("_views")
    }


def test_every_view_module_is_protected_by_the_views_are_leaves_contract():
    protected = _protected()
    uncovered = {name for name in _view_modules() if name not in protected and not name.endswith(".views")}
    assert uncovered == set(), "add these to the protected contract in pyproject.toml"
    assert "backpack.*.views" in protected


def test_every_view_module_is_registered_by_the_factory(app):
    registered = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()}
    features = {Path(name.replace(".", "/")).parts[1] for name in _view_modules()}
    assert features <= registered
    factory = (ROOT / "backpack" / "__init__.py").read_text()
    for name in _view_modules():
        package, module = name.rsplit(".", 1)
        assert f"from {package} import" in factory and module in factory, name


def test_credentials_may_import_no_other_backpack_package_or_module():
    """A package or module added to backpack later is forbidden to credentials from the start."""
    forbidden = set(_contract("forbidden")["forbidden_modules"])
    package = ROOT / "backpack"
    siblings = {f"backpack.{path.parent.name}" for path in package.glob("*/__init__.py")}
    siblings |= {f"backpack.{path.stem}" for path in package.glob("*.py") if path.stem != "__init__"}
    assert siblings - {"backpack.credentials"} - forbidden == set()
    assert {"flask", "sqlalchemy", "werkzeug"} <= forbidden


# Entry points that own their transaction besides the views: the CLI, its demo loader, and
# the push worker (a claim or an outcome must be committed before other workers see it).
COMMITTING_ENTRY_POINTS = {"backpack/cli.py", "backpack/demo.py", "backpack/notify/worker.py", "backpack/notify/delivery.py"}


def test_only_views_and_entry_points_commit():
    """Feature functions add and flush, so a view can still refuse and roll back all it did."""
    committing = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "backpack").rglob("*.py")
        if "session.commit()" in path.read_text()
    }
    views = {name for name in committing if Path(name).stem == "views" or Path(name).stem.endswith("_views")}
    assert committing - views - COMMITTING_ENTRY_POINTS == set()
