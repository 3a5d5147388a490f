"""Destructive actions are asked twice: their URL's GET is a page with the question
("Supprimer … ?"), a button that POSTs to the same URL, and a way back; only the POST
changes anything. Plain links and forms: it works without JavaScript."""

from django.http import HttpRequest, HttpResponse

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
