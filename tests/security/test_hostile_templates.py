"""Templates and signatures are written by a domain's campaign managers, who may be hostile to
the server: checking and rendering one is linear in its size (the preview runs in a web
worker, the rendering in every reply)."""

from comptoir.campaigns.templating import render, template_errors
from tests.security.timing import assert_linear


def spaces_after_an_opening(n: int) -> str:
    return "{{" + " " * n + "x"


def many_openings_with_spaces(n: int) -> str:
    return ("{{" + " " * 20) * (n // 22)


def test_checking_a_template_with_an_unclosed_placeholder_is_linear() -> None:
    assert_linear(template_errors, spaces_after_an_opening, 20_000)


def test_rendering_a_template_with_an_unclosed_placeholder_is_linear() -> None:
    assert_linear(lambda text: render(text, {}), spaces_after_an_opening, 20_000)


def test_many_unclosed_openings_are_linear() -> None:
    assert_linear(template_errors, many_openings_with_spaces, 100_000)


def test_placeholders_still_render_with_spaces_inside() -> None:
    values = {"customer_name": "Claire"}
    assert render("Bonjour {{customer_name}}, {{  customer_name  }} !", values) == (
        "Bonjour Claire, Claire !"
    )
    assert render("{{ unknown }}", values) == "{{ unknown }}"
    assert template_errors("{{ customer_name }}") == []
