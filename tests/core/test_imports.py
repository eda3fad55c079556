"""The package's shape: `tui.core` loads no Textual, no module imports itself through others (a type-only
import counts), and the core's parts import only the parts below them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tui

PACKAGE = Path(tui.__file__).parent
# The core's parts, lowest first: each imports only those before it. `jobs` is the one module at the core's
# top: the long-work mechanism every part above the texts may use.
LAYERS = ("texts", "jobs", "files", "tokens", "chapter", "meaning", "explorer")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Every module of `tui` → the `tui` modules it imports anywhere in its file (at the top, in a function,
    under TYPE_CHECKING)."""
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.update(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in paths else node.module for alias in node.names)
        graph[name] = {module for module in found if module in paths and module != name and not paths[module].name == "__init__.py"}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert cycles(imports()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_part_of_the_core_imports_only_the_parts_below_it() -> None:
    def layer(module: str) -> int | None:
        parts = module.split(".")
        return LAYERS.index(parts[2]) if len(parts) > 2 and parts[:2] == ["tui", "core"] else None

    upward = [
        (module, target)
        for module, targets in imports().items()
        for target in targets
        if layer(module) is not None and layer(target) is not None and layer(target) > layer(module)
    ]
    assert upward == []


def test_the_core_never_imports_textual_or_the_app(run_scripts) -> None:
    """Every module of the core, imported in a Python that has imported only torch (run_scripts' Python)."""
    core = {module: targets for module, targets in imports().items() if module.startswith("tui.core")}
    assert not [module for module, targets in core.items() for target in targets if not target.startswith("tui.core")]
    code = (
        "import sys, pkgutil, importlib, tui.core\n"
        "for module in pkgutil.walk_packages(tui.core.__path__, 'tui.core.'):\n"
        "    importlib.import_module(module.name)\n"
        "assert 'tui.core.chapter.session' in sys.modules\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('textual', 'rich')))\n"
    )
    assert run_scripts(code) == ["[]\n"]


def test_parser_and_cli_options_need_no_torch() -> None:
    """Bad options are refused (and IDs parsed) before torch is imported."""
    code = "import sys, tui.cli, tui.core.tokens.parse, tui.core.chapter.spec; print('torch' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


def test_every_module_of_the_command_line_imports_without_torch_textual_or_aiohttp() -> None:
    """Each subcommand's module imports what is heavy inside the function that needs it, so a refusal, the
    help and `models` never wait for torch, Textual or aiohttp."""
    code = (
        "import sys, pkgutil, importlib, tui.cli\n"
        "modules = [importlib.import_module(module.name) for module in pkgutil.walk_packages(tui.cli.__path__, 'tui.cli.')]\n"
        "print(len(modules), sorted({name.split('.')[0] for name in sys.modules} & {'torch', 'textual', 'aiohttp'}))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, heavy = output.strip().split(" ", 1)
    assert int(count) >= 10 and heavy == "[]"


def test_the_app_starts_without_torch_or_plotext() -> None:
    """The first frame comes before torch has loaded (the job that makes the layer imports it), and the map's
    plotting library loads with the first map."""
    code = "import sys, tui.app; print(sorted({name.split('.')[0] for name in sys.modules} & {'torch', 'plotext', 'textual_plotext'}))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_the_parts_below_the_explorer_say_messages_and_render_none() -> None:
    """A sentence stays a `Message` until the edge: nothing under files/, tokens/, chapter/ or meaning/
    renders one in a language."""
    rendering = []
    for part in ("files", "tokens", "chapter", "meaning"):
        for path in (PACKAGE / "core" / part).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "tui.core.texts.messages" and any(alias.name == "translate" for alias in node.names):
                    rendering.append(str(path.relative_to(PACKAGE)))
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "render":
                    rendering.append(str(path.relative_to(PACKAGE)))
    assert rendering == []
