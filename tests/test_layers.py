"""Imports point down the layers of ARCHITECTURE.md, never up (tests and migrations aside)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER = {
    "tenants": 0,
    "webhooks": 1,
    "payers": 1,
    "invoices": 2,
    "imports": 3,
    "stamps": 3,
    "dunning": 3,
    "contact_schedule": 4,
    "portal": 5,
    "billing": 5,
    "agent": 5,
}


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_app_imports_an_app_above_it():
    upward = []
    for app, level in LAYER.items():
        for path in sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else []:
            if "migrations" in path.parts:
                continue
            for lineno, module in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
                target = module.split(".")[0]
                if LAYER.get(target, -1) > level:
                    upward.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert upward == []
