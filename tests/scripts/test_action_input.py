"""Every script action checks its own input (issue 12 §2): called directly, without a form,
bad input is a ValidationError by field and nothing is written (moved from
tests/campaigns/test_action_input.py with the scripts' own app)."""

from comptoir.scripts import actions as script_actions
from tests.campaigns.test_action_input import LONG, refused
from tests.campaigns.test_actions import boss
from tests.conftest import Acme, make_acme
from tests.scripts.test_actions import add_question


def test_scripts_are_checked(acme: Acme) -> None:
    refused(lambda: script_actions.create_script(acme.domain.pk, "", by=boss(acme)), "name")
    refused(lambda: script_actions.create_script(acme.domain.pk, LONG, by=boss(acme)), "name")
    script = script_actions.create_script(acme.domain.pk, "Retours", by=boss(acme))

    def outcome(**fields: str) -> object:
        values = {"code": "done", "label": "Fait", "kind": "final", **fields}
        return script_actions.save_outcome(script, None, by=boss(acme), **values)

    refused(lambda: outcome(code="pas un code"), "code")
    refused(lambda: outcome(label=LONG), "label")
    refused(lambda: outcome(kind="sometimes"), "kind")
    refused(
        lambda: add_question(acme, script, name="q", label="Q", field_type="telepathy"),
        "field_type",
    )


def test_another_domains_script_is_refused(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = script_actions.create_script(globex.domain.pk, "Leur", by=boss(globex))
    refused(lambda: script_actions.assign_script(acme.support, theirs, by=boss(acme)), "script")
    refused(
        lambda: script_actions.create_script(
            acme.domain.pk, "Copie", copy_of=theirs, by=boss(acme)
        ),
        "copy_of",
    )
