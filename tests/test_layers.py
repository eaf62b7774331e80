"""The package layout follows the data: no module imports from a layer downstream of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
# Upstream first. api and web are siblings: neither may import the other.
LAYERS = {
    "contract": 0,
    "evidence": 1,
    "analysis": 2,
    "engine": 3,
    "http": 4,
    "api": 5,
    "web": 5,
    "ehr": 6,  # EHR integration (SMART, CDS Hooks, FHIR): may use api encoders and web forms
    "": 7,  # app/__init__.py (create_app), cli.py, gunicorn_conf.py: the composition root
}
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else ""


def app_imports(path: Path) -> set[str]:
    """Every app module this file imports, wherever the import stands (TYPE_CHECKING included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "app"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "app":
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (APP.parent / candidate.replace(".", "/")).with_suffix(".py").exists()
                found.add(candidate if is_module else node.module)
    return found


MODULES = {module_name(p): p for p in sorted(APP.rglob("*.py"))}
GRAPH = {name: app_imports(path) & set(MODULES) for name, path in MODULES.items()}


def test_every_subpackage_has_a_layer() -> None:
    packages = {p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS) - {""}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_from_downstream(module: str) -> None:
    own = layer(module)
    for imported in GRAPH[module]:
        other = layer(imported)
        assert LAYERS[other] < LAYERS[own] or other == own, f"{module} imports {imported}"


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        assert state.get(name) != 1, "import cycle: " + " -> ".join((*path, name))
        state[name] = 1
        for imported in sorted(GRAPH[name]):
            if imported != name and not name.startswith(imported + "."):
                visit(imported, (*path, name))
        state[name] = 2

    for module in sorted(GRAPH):
        visit(module, ())


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_fit_on_a_few_screens(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_start_up_analysis_knows_no_patient() -> None:
    # The scenario contract is the engine's: analysis computes what holds for every patient.
    for module in MODULES:
        if layer(module) == "analysis":
            assert "app.contract.scenario" not in GRAPH[module], module


def test_ehr_reads_bodies_through_http_not_the_api_views() -> None:
    # One body reader for every route: the EHR routes take it from app/http, as the API does.
    for module in MODULES:
        if layer(module) == "ehr":
            assert "app.api.views" not in GRAPH[module], module
    assert "app.http.json_body" in GRAPH["app.ehr.cds"]


def _annotations(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.arg) and node.annotation is not None:
            found.add(ast.unparse(node.annotation))
    return found


def test_the_scenario_walks_only_downstream_of_the_engine() -> None:
    # A function taking a Scenario lives in the engine or after it, never in a start-up layer.
    for module, path in MODULES.items():
        if LAYERS[layer(module)] < LAYERS["engine"] and module != "app.contract.scenario":
            assert not any("Scenario" in a.split(".")[-1] for a in _annotations(path)), module


def test_the_layer_test_sees_a_violation() -> None:
    assert "app.analysis.base" in GRAPH["app.engine.assess"]
    assert LAYERS[layer("app.web.views")] > LAYERS[layer("app.engine.assess")]
    assert "Scenario" in _annotations(MODULES["app.engine.assess"])
    assert "app.contract.scenario" in GRAPH["app.engine.criteria"]
