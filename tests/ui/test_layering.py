"""The UI's packages by audience keep their layering (docs/architecture.md, "The UI"): each
package imports only what its line there allows, and the core never imports the UI. The
imports are read from the sources with `ast`, so a new module is checked as soon as it exists."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from comptoir.ui.common.access import managed_campaign
from tests.conftest import Acme, make_acme

ROOT = Path(__file__).resolve().parents[2] / "comptoir"
UI = ROOT / "ui"
# What each part of comptoir.ui may import from comptoir.ui (the core, comptoir.* outside
# ui, is open to every part; Django and the standard library too).
MAY_IMPORT: dict[str, set[str]] = {
    "common": {"common"},
    "account": {"account", "common"},
    "agents": {"agents", "common"},
    "supervisors": {"supervisors", "agents", "common"},
    "administration": {"administration", "account", "common"},
    "templatetags": {"templatetags", "common", "supervisors"},
    "urls": {"account", "agents", "supervisors", "administration"},
    "apps": set(),
    "__init__": set(),
}


def part_of(path: Path) -> str:
    """The part of the UI a module belongs to: its package, or its own name at the top."""
    relative = path.relative_to(UI)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from comptoir.ui import x` names a part too.
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            modules.update(names if node.module == "comptoir.ui" else [node.module])
    return modules


def ui_parts_imported(path: Path) -> set[str]:
    """The parts of the UI that the module imports, from its import statements and the
    dotted paths it gives to `include()` (strings)."""
    found = {m for m in imported_modules(path) if m.startswith("comptoir.ui.")}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        value = node.value if isinstance(node, ast.Constant) else None
        if isinstance(value, str) and value.startswith("comptoir.ui."):
            found.add(value)
    return {name.split(".")[2] for name in found}


def ui_modules() -> list[Path]:
    return sorted(UI.rglob("*.py"))


def test_every_module_of_the_ui_belongs_to_a_known_part() -> None:
    unknown = [
        str(path.relative_to(UI)) for path in ui_modules() if part_of(path) not in MAY_IMPORT
    ]
    assert not unknown, f"add these to MAY_IMPORT and docs/architecture.md: {sorted(unknown)}"


@pytest.mark.parametrize("path", ui_modules(), ids=lambda path: str(path.relative_to(UI)))
def test_each_part_of_the_ui_imports_only_what_it_may(path: Path) -> None:
    allowed = MAY_IMPORT.get(part_of(path), set())
    forbidden = ui_parts_imported(path) - allowed
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


def test_the_core_never_imports_the_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(ROOT.rglob("*.py"))
        if UI not in path.parents
        and path != ROOT / "urls.py"  # the project's URLs include the UI's, and only them
        and any(m.startswith("comptoir.ui") for m in imported_modules(path))
    ]
    assert not offenders


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """A test that cannot fail is a defect: the parser finds each way of naming a part."""
    module = tmp_path / "m.py"
    module.write_text(
        "from comptoir.ui.administration.people import x\n"
        "import comptoir.ui.supervisors.steering\n"
        "from comptoir.ui import account\n"
        "URL = 'comptoir.ui.agents.urls'\n"
    )
    assert ui_parts_imported(module) == {"administration", "supervisors", "account", "agents"}


# --- The one managed_campaign: the right first, then the domain --------------------------


def request_of(user: object) -> object:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_managed_campaign_refuses_without_the_right_even_without_the_decorator(
    acme: Acme,
) -> None:
    """Stricter of the two it replaces (the editor's trusted its decorator): it asks for the
    right itself, before any lookup, so an existing slug and a missing one both get 403."""
    for user in (acme.agent, acme.supervisor):
        for slug in (acme.support.slug, "nowhere"):
            with pytest.raises(PermissionDenied):
                managed_campaign(request_of(user), slug)


def test_managed_campaign_finds_only_the_managers_domain(acme: Acme) -> None:
    manager = acme.agent
    manager.can_manage_campaigns = True
    manager.save(update_fields=["can_manage_campaigns"])
    assert managed_campaign(request_of(manager), acme.support.slug) == acme.support
    globex = make_acme("globex")
    Campaign = type(acme.support)
    Campaign.objects.filter(pk=globex.support.pk).update(slug="globex-only")
    with pytest.raises(Http404):
        managed_campaign(request_of(manager), "globex-only")
