"""`comptoir create-domain`: a domain and its first administrator, never over an existing one."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from comptoir.tenancy.models import Domain, DomainHostname, Role, User


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_domain", *args, stdout=out)
    return out.getvalue()


def test_creates_the_domain_and_its_administrator_with_a_generated_password(db: None) -> None:
    output = run(
        "--slug", "initech", "--name", "Initech", "--hostname", "support.initech.example",
        "--admin", "bill", "--admin-email", "bill@initech.example",
    )  # fmt: skip
    domain = Domain.objects.get(slug="initech")
    admin = User.objects.get(domain=domain, login="bill")
    assert admin.role == Role.ADMIN and admin.can_manage_users and admin.can_use_api
    assert admin.email == "bill@initech.example"
    password = output.split("password: ", 1)[1].strip()
    assert admin.check_password(password)
    assert DomainHostname.objects.get(domain=domain).hostname == "support.initech.example"
    assert "https://support.initech.example/" in output


def test_given_password_is_used_and_not_printed(db: None) -> None:
    output = run(
        "--slug", "initech", "--name", "Initech", "--admin", "bill",
        "--admin-email", "bill@initech.example", "--password", "correct-horse-battery",
    )  # fmt: skip
    assert "correct-horse-battery" not in output
    assert User.objects.get(login="bill").check_password("correct-horse-battery")
    assert "http://initech.localhost:8000/" in output


def test_an_existing_slug_is_refused_and_nothing_changes(db: None) -> None:
    Domain.objects.create(slug="initech", name="Old name")
    with translation.override("en"), pytest.raises(CommandError, match="already exists"):
        run("--slug", "initech", "--name", "New", "--admin", "bill", "--admin-email", "b@i.example")
    assert Domain.objects.get(slug="initech").name == "Old name"
    assert not User.objects.filter(login="bill").exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--admin-email", "not-an-address", "email"),
        ("--password", "123", "password"),
        ("--slug", "no spaces", "slug"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    db: None, option: str, value: str, message: str
) -> None:
    values = {"--slug": "initech", "--admin-email": "bill@initech.example", "--password": ""}
    values[option] = value
    args = ["--name", "Initech", "--admin", "bill"]
    for name, given in values.items():
        if given:
            args += [name, given]
    with pytest.raises(CommandError, match=f"(?i){message}"):
        run(*args)
    assert not Domain.objects.filter(name="Initech").exists()
    assert not User.objects.filter(login="bill").exists()


def test_a_hostname_already_used_is_refused(db: None) -> None:
    run("--slug", "a", "--name", "A", "--hostname", "x.example", "--admin", "u",
        "--admin-email", "u@a.example")  # fmt: skip
    with pytest.raises(CommandError, match=r"x\.example"):
        run("--slug", "b", "--name", "B", "--hostname", "x.example", "--admin", "u",
            "--admin-email", "u@b.example")  # fmt: skip
    assert not Domain.objects.filter(slug="b").exists()
