"""How a form presents what a core action refused: the action raises ValidationError, the
form shows each message next to the field it names (or above the form)."""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def form_for[F: forms.Form](
    request: HttpRequest, form_class: type[F], shown: object, fields: Iterable[str]
) -> F:
    """The form bound to a POST; on a GET, filled with the `fields` of the object `shown`
    (empty when there is none yet: a new one)."""
    if request.method == "POST":
        return form_class(request.POST)
    initial = {name: getattr(shown, name) for name in fields} if shown is not None else None
    return form_class(initial=initial)


def show_action_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's errors next to the form's fields (or above them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def save_form_with(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    done: str,
) -> bool:
    """Run `action` with a valid form's data: True when it succeeded (`done` is then shown),
    False when the form or the action refused (the errors are then next to its fields)."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        show_action_errors(form, error)
        return False
    messages.success(request, done)
    return True


def error_message(request: HttpRequest, error: ValidationError) -> None:
    """An action refused outside a form (a button): its reasons, as one message."""
    messages.error(request, " ".join(error.messages))


def act_and_say(request: HttpRequest, act: Callable[[], object], done: str) -> None:
    """Run an action behind a button: its refusal, or `done`, as the page's message."""
    try:
        act()
    except ValidationError as error:
        error_message(request, error)
    else:
        messages.success(request, done)
