"""Email templates: `{{ variable }}` placeholders only, checked when the template is saved,
rendered at send time without ever failing."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from comptoir.campaigns.models import EmailTemplate
from comptoir.campaigns.templating import VARIABLES, render, template_errors
from tests.conftest import Acme

VALUES = {"customer_name": "Claire Martin", "ticket_number": "42", "agent_name": "Alice"}


def errors_in_english(text: str) -> list[str]:
    with translation.override("en"):
        return template_errors(text)


def test_a_valid_template_has_no_errors() -> None:
    text = "Bonjour {{ customer_name }},\n\nDossier {{ticket_number}} — {{  agent_name  }}"
    assert template_errors(text) == []


def test_every_known_variable_is_accepted() -> None:
    assert template_errors(" ".join("{{ " + name + " }}" for name in VARIABLES)) == []


def test_an_unknown_variable_is_named_with_its_line_and_the_known_variables() -> None:
    [error] = errors_in_english("Bonjour,\n\nVotre dossier {{ dossier }} est clos.")
    assert error.startswith("Line 3: unknown variable {{ dossier }}. Known variables: ")
    assert "{{ customer_name }}" in error and "{{ ticket_number }}" in error


def test_an_unclosed_placeholder_is_reported() -> None:
    assert errors_in_english("Bonjour\n{{ customer_name") == [
        "Line 2: “{{” is never closed by “}}”."
    ]


def test_a_stray_closing_brace_pair_is_reported() -> None:
    assert errors_in_english("Bonjour }}") == ["Line 1: “}}” closes nothing."]


def test_template_tags_are_refused() -> None:
    [error] = errors_in_english("{{ customer_name }}\n{% include 'secret.html' %}")
    assert error.startswith("Line 2: “{%” tags are not allowed")


def test_every_problem_is_reported_at_once() -> None:
    errors = errors_in_english("{{ inconnu }}\n}}\n{% if %}")
    assert [e.split(":")[0] for e in errors] == ["Line 1", "Line 2", "Line 3"]


def test_line_numbers_count_the_lines_inside_a_placeholder() -> None:
    assert errors_in_english("{{ customer_name\n}} bonjour\n{% x %}")[0].startswith("Line 3:")


def test_lone_braces_around_a_placeholder_never_meet_into_an_error() -> None:
    assert template_errors("{{{ ticket_number }}{") == []
    assert template_errors("}{{ ticket_number }}}") == []


def test_render_replaces_known_variables_however_they_are_spaced() -> None:
    text = "Bonjour {{customer_name}}, dossier {{  ticket_number }}."
    assert render(text, VALUES) == "Bonjour Claire Martin, dossier 42."


def test_render_leaves_what_it_does_not_know_as_it_was_written() -> None:
    text = "{{ inconnu }} {{ customer_name }} {{ agent_name {% tag %} }}"
    assert render(text, VALUES) == "{{ inconnu }} Claire Martin {{ agent_name {% tag %} }}"


def test_a_value_that_looks_like_a_placeholder_is_not_rendered_again() -> None:
    values = {**VALUES, "customer_name": "{{ agent_name }}"}
    assert render("Bonjour {{ customer_name }}", values) == "Bonjour {{ agent_name }}"


def email_template(acme: Acme, *, subject: str = "", body: str = "Bonjour") -> EmailTemplate:
    return EmailTemplate(
        domain=acme.domain, campaign=acme.support, name="Accusé", subject=subject, body=body
    )


def test_a_valid_email_template_passes_validation(acme: Acme) -> None:
    template = email_template(acme, subject="Dossier {{ ticket_number }}", body="{{ today }}")
    template.full_clean()


def test_a_bad_body_is_refused_when_the_template_is_saved_not_when_it_is_sent(
    acme: Acme,
) -> None:
    template = email_template(acme, body="Bonjour {{ client }}")
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert list(raised.value.message_dict) == ["body"]
    assert "unknown variable {{ client }}" in raised.value.message_dict["body"][0]


def test_a_bad_subject_is_refused_too(acme: Acme) -> None:
    template = email_template(acme, subject="Dossier {{ ticket_number")
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert list(raised.value.message_dict) == ["subject"]
