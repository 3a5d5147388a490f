"""Destructive actions are asked twice: their URL's GET is a page with the question
("Supprimer … ?"), a button that POSTs to the same URL, and a way back; only the POST
changes anything. Plain links and forms: it works without JavaScript."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from comptoir.ui.common.forms import act_and_say
from comptoir.ui.common.pages import render_page


def confirmation_page(
    request: HttpRequest,
    *,
    question: str,
    back: str,
    detail: str = "",
    keep: dict[str, str] | None = None,
    button: str = "",
) -> HttpResponse:
    """The question, `detail` under it, a POST carrying the `keep` fields (its button says
    `button`, else "Remove"), and Cancel to `back`."""
    context = {"question": question, "detail": detail, "back": back, "keep": keep or {}}
    context["button"] = button
    return render_page(request, "ui/confirm.html", context)


def remove_when_confirmed(
    request: HttpRequest,
    *,
    question: str,
    back: str,
    remove: Callable[[], object],
    done: str,
    detail: str = "",
) -> HttpResponse:
    """A removal behind its question: the GET asks it; the POST runs `remove`, says `done`
    (or the action's refusal) and goes `back`."""
    if request.method == "GET":
        return confirmation_page(request, question=question, detail=detail, back=back)
    act_and_say(request, remove, done)
    return redirect(back)
