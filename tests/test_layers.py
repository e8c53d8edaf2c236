"""The import contracts cover every view module, and the app registers every blueprint's routes."""
import tomllib
from pathlib import Path

from backpack.config import ROOT


def _protected() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "protected"]
    return set(contract["protected_modules"])


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
