"""No module but reader/ui/compat.py touches Textual's private API.

Textual may change anything whose name starts with `_` in any release. Reached from one
module, each such use is a named function that tests/test_compat.py checks; reached from
anywhere else it breaks silently. Per module, this finds:

- imports of private Textual modules or names (`textual._xterm_parser`,
  `from textual.widgets._markdown import ...`, `from textual.x import _y`);
- private Textual attributes read or set on other objects (`self.app._keymap`,
  `block._content`), unless the module defines that name itself;
- in subclasses of Textual classes, `self._x` / `def _x` where `_x` belongs to a Textual base
  (reading `Footer._bindings_ready`, overriding `Widget._render` by accident).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import importlib.util
import inspect
import textwrap
from pathlib import Path

import pytest
import textual

ROOT = Path(__file__).resolve().parents[1]
COMPAT = "reader/ui/compat.py"
MODULES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in (ROOT / "reader").rglob("*.py")
    if path.relative_to(ROOT).as_posix() != COMPAT
)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_names(tree: ast.AST) -> set[str]:
    """Every name a piece of code defines: functions, classes, assigned names and attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


@functools.cache
def _textual_private_names() -> frozenset[str]:
    """Every private name Textual's own source defines anywhere."""
    names: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        names |= _defined_names(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(name for name in names if _private(name))


@functools.cache
def _textual_class_private(cls: type) -> frozenset[str]:
    """The private names one Textual class defines: in its body or as `self._x = ...`."""
    names = {name for name in vars(cls) if _private(name)}
    with contextlib.suppress(OSError, TypeError, SyntaxError):  # no source to read
        source = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        names |= {name for name in _defined_names(source) if _private(name)}
    return frozenset(names)


def _textual_module(name: str) -> bool:
    return name == "textual" or name.startswith("textual.")


def _class_offences(module: object, node: ast.ClassDef) -> list[tuple[int, str]]:
    cls = getattr(module, node.name, None)
    if not isinstance(cls, type):
        return []
    owners: dict[str, str] = {}
    for base in reversed(cls.__mro__[1:]):
        if _textual_module(base.__module__):
            for name in _textual_class_private(base):
                owners[name] = base.__qualname__
    found: list[tuple[int, str]] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and child.attr in owners:
            target = child.value
            if isinstance(target, ast.Name) and target.id in ("self", "cls"):
                found.append(
                    (
                        child.lineno,
                        f"self.{child.attr}: Textual's private {owners[child.attr]}.{child.attr}",
                    )
                )
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and child.name in owners:
            found.append(
                (
                    child.lineno,
                    f"def {child.name} overrides Textual's private "
                    f"{owners[child.name]}.{child.name}",
                )
            )
    return found


def _load(path: Path) -> object:
    """The module at `path` (reader's own by its dotted name, so it is imported once)."""
    if path.is_relative_to(ROOT / "reader"):
        dotted = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
        return importlib.import_module(dotted)
    spec = importlib.util.spec_from_file_location(f"_probe_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def private_textual_uses(path: Path) -> list[str]:
    """`path:line: what` for each private Textual use in one module."""
    relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _defined_names(tree)
    textual_private = _textual_private_names()
    found: list[tuple[int, str]] = []
    imports_textual = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _textual_module(alias.name):
                    imports_textual = True
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append((node.lineno, f"import {alias.name}: a private module"))
        elif isinstance(node, ast.ImportFrom) and node.module and _textual_module(node.module):
            imports_textual = True
            if any(_private(part) for part in node.module.split(".")):
                found.append((node.lineno, f"from {node.module} import ...: a private module"))
            for alias in node.names:
                if _private(alias.name):
                    found.append(
                        (node.lineno, f"from {node.module} import {alias.name}: a private name")
                    )
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in textual_private
            and node.attr not in own
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            found.append((node.lineno, f"{ast.unparse(node)}: Textual's private .{node.attr}"))
    if imports_textual and any(isinstance(node, ast.ClassDef) for node in tree.body):
        module = _load(path)
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                found += _class_offences(module, node)
    return [f"{relative}:{line}: {what}" for line, what in sorted(set(found))]


def _cases() -> list[object]:
    return list(MODULES)


@pytest.mark.parametrize("relative", _cases())
def test_no_private_textual_api_outside_compat(relative: str) -> None:
    uses = private_textual_uses(ROOT / relative)
    assert not uses, (
        f"Private Textual API outside {COMPAT}: Textual may change these in any release. "
        "Reach each through a named function in reader/ui/compat.py and check it in "
        "tests/test_compat.py (or use public API instead):\n  " + "\n  ".join(uses)
    )


def test_the_check_finds_each_kind_of_private_use(tmp_path: Path) -> None:
    """The checks above can fail: a module with one use of each kind is caught."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from textual._xterm_parser import XTermParser\n"  # 1: private module
        "from textual.widgets._markdown import MarkdownBlock\n"  # 2: private module
        "from textual.app import App\n"
        "from textual.widgets import Footer\n"
        "def keys(app: App) -> object:\n"
        "    return app._keymap\n"  # 6: private attribute of another object
        "class F(Footer):\n"
        "    def ready(self) -> bool:\n"
        "        return self._bindings_ready\n"  # 9: a Textual base's private attribute
        "    def _render(self) -> None: ...\n",  # 10: overrides Widget._render
        encoding="utf-8",
    )
    uses = private_textual_uses(probe)
    assert [int(use.split(":")[1]) for use in uses] == [1, 2, 6, 9, 10], uses
    assert "Footer._bindings_ready" in uses[3] and "Widget._render" in uses[4]
    names = tmp_path / "names.py"
    names.write_text("from textual.app import _private_thing\n", encoding="utf-8")
    assert private_textual_uses(names) == [
        "names.py:1: from textual.app import _private_thing: a private name"
    ]
