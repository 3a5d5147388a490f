"""The scripts app's place in the core (docs/architecture.md, the tree): it builds on tenancy
and campaigns, distribution builds on it, and campaigns knows of it only its models (the script
a campaign points to). Read from the sources with `ast`, migrations left out, so a new module
is checked as soon as it exists."""

from pathlib import Path

from tests.ui.test_layering import imported_modules

ROOT = Path(__file__).resolve().parents[2] / "comptoir"


def apps_imported(app: str) -> dict[str, set[str]]:
    """{module: the comptoir.* modules it imports} for every module of the app."""
    return {
        str(path.relative_to(ROOT)): {
            m for m in imported_modules(path) if m.startswith("comptoir.")
        }
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    }


def test_scripts_import_only_tenancy_campaigns_lib_and_themselves() -> None:
    allowed = ("comptoir.scripts", "comptoir.campaigns.", "comptoir.tenancy.", "comptoir.lib.")
    wrong = {
        module: sorted(m for m in imported if not m.startswith(allowed))
        for module, imported in apps_imported("scripts").items()
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_campaigns_know_of_scripts_only_their_models() -> None:
    wrong = {
        module: sorted(m for m in imported if m.startswith("comptoir.scripts"))
        for module, imported in apps_imported("campaigns").items()
    }
    allowed = ["comptoir.scripts.models"]
    assert {module: names for module, names in wrong.items() if names not in ([], allowed)} == {}
