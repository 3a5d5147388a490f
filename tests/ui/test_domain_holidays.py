"""The domain's public holidays (/manage/holidays/): listed, added, removed, France's for a
year; checked next to the field, nothing half-saved; the right to manage campaigns; another
domain's holidays are 404; the campaign editor shows them and links here."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.campaigns.actions.planning import add_french_holidays
from comptoir.campaigns.models import Holiday
from comptoir.distribution.planning import holidays
from comptoir.tenancy.models import Domain, Role, User
from tests.conftest import Acme, make_acme
from tests.ui.campaign_editor_helpers import manager
from tests.ui.conftest import client_for

pytestmark = pytest.mark.django_db

PAGE = reverse("ui:manage_domain_holidays")
ADD = reverse("ui:manage_domain_holiday_add")
FRANCE = reverse("ui:manage_domain_holidays_france")


def remove_url(holiday: Holiday) -> str:
    return reverse("ui:manage_domain_holiday_remove", args=[holiday.pk])


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


def domain_wide(domain: Domain) -> list[tuple[str, str]]:
    rows = Holiday.objects.filter(domain=domain, campaign__isnull=True).order_by("date")
    return [(str(h.date), h.name) for h in rows]


def test_a_manager_adds_lists_and_removes_a_domain_holiday(acme: Acme, maud: Client) -> None:
    response = maud.post(ADD, {"date": "2030-05-01", "name": " Fête du travail "})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert domain_wide(acme.domain) == [("2030-05-01", "Fête du travail")]
    holiday = Holiday.objects.get(domain=acme.domain)
    page = maud.get(PAGE).content.decode()
    assert f'data-testid="domain-holiday-{holiday.pk}"' in page and "Fête du travail" in page
    assert "The holiday is added." in page
    # Every campaign of the domain sees it, read-only, with a link to this screen.
    advanced = maud.get(reverse("ui:manage_advanced", args=["orders"])).content.decode()
    assert "Fête du travail" in advanced and f'href="{PAGE}"' in advanced

    assert maud.post(remove_url(holiday)).status_code == 302
    assert domain_wide(acme.domain) == []


def test_a_date_is_a_domain_holiday_once(acme: Acme, maud: Client) -> None:
    maud.post(ADD, {"date": "2030-07-14", "name": "14 juillet"})
    response = maud.post(ADD, {"date": "2030-07-14", "name": "Fête nationale"})
    assert response.status_code == 400
    page = response.content.decode()
    # The error sits next to the date field; what was typed is kept.
    assert 'id="id_date_error"' in page and "already a public holiday of the domain" in page
    assert 'value="Fête nationale"' in page
    assert domain_wide(acme.domain) == [("2030-07-14", "14 juillet")]


def test_a_campaigns_own_holiday_does_not_stop_a_domain_one(acme: Acme, maud: Client) -> None:
    Holiday.objects.create(
        domain=acme.domain, campaign=acme.support, date=date(2030, 7, 14), name="Support"
    )
    assert maud.post(ADD, {"date": "2030-07-14", "name": "14 juillet"}).status_code == 302
    assert domain_wide(acme.domain) == [("2030-07-14", "14 juillet")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "2030-02-30", "name": "Nope"}, "date"),
        ({"date": "", "name": "Nope"}, "date"),
        ({"date": "2030-05-01", "name": "   "}, "name"),
        ({"date": "2030-05-01", "name": "x" * 201}, "name"),
    ],
)
def test_a_bad_holiday_is_refused_next_to_its_field(
    acme: Acme, maud: Client, data: dict[str, str], field: str
) -> None:
    response = maud.post(ADD, data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Holiday.objects.exists()


def test_france_s_holidays_of_a_year_are_added_once(acme: Acme, maud: Client) -> None:
    Holiday.objects.create(domain=acme.domain, date=date(2031, 12, 25), name="Christmas")
    response = maud.post(FRANCE, {"year": "2031"})
    assert response.status_code == 302
    page = maud.get(PAGE).content.decode()
    assert "10 public holidays are added." in page
    rows = dict(domain_wide(acme.domain))
    assert len(rows) == 11 and rows["2031-12-25"] == "Christmas"  # kept, not doubled
    assert rows["2031-04-14"] == "Lundi de Pâques" and rows["2031-05-22"] == "Ascension"
    # No campaign got a copy: they are the domain's.
    assert not Holiday.objects.filter(campaign__isnull=False).exists()
    maud.post(FRANCE, {"year": "2031"})
    assert "0 public holidays are added." in maud.get(PAGE).content.decode()
    assert len(domain_wide(acme.domain)) == 11


@pytest.mark.parametrize("year", ["", "abc", "1066", "99999"])
def test_a_bad_year_is_refused_next_to_the_field(acme: Acme, maud: Client, year: str) -> None:
    response = maud.post(FRANCE, {"year": year})
    assert response.status_code == 400
    assert 'id="id_year_error"' in response.content.decode()
    assert not Holiday.objects.exists()


def test_the_page_offers_this_year_in_the_domains_time_zone(acme: Acme, maud: Client) -> None:
    page = maud.get(PAGE).content.decode()
    assert 'name="year"' in page and 'value="20' in page


def test_the_page_speaks_french(acme: Acme) -> None:
    marie = manager(acme)
    marie.language = "fr"
    marie.save()
    Holiday.objects.create(domain=acme.domain, date=date(2030, 5, 1), name="1er mai")
    page = client_for(marie).get(PAGE).content.decode()
    assert "Jours fériés du domaine" in page and "Ajouter les jours fériés de France" in page
    assert "Année" in page


def test_without_the_right_to_manage_campaigns_everything_is_refused(acme: Acme) -> None:
    holiday = Holiday.objects.create(domain=acme.domain, date=date(2030, 5, 1), name="1er mai")
    users_admin = User.objects.create_user(
        domain=acme.domain, login="uma", password="pw", role=Role.ADMIN, can_manage_users=True
    )
    for user in (acme.agent, acme.supervisor, users_admin):
        client = client_for(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(ADD, {"date": "2030-07-14", "name": "X"}).status_code == 403
        assert client.post(FRANCE, {"year": "2030"}).status_code == 403
        assert client.post(remove_url(holiday)).status_code == 403
    assert domain_wide(acme.domain) == [("2030-05-01", "1er mai")]
    assert Client(HTTP_HOST="acme.localhost").get(PAGE).status_code == 302  # to the login


def test_another_domains_holiday_is_404_and_never_listed(acme: Acme, maud: Client) -> None:
    globex = make_acme("globex")
    theirs = Holiday.objects.create(domain=globex.domain, date=date(2030, 5, 8), name="Globex")
    campaign_own = Holiday.objects.create(
        domain=acme.domain, campaign=acme.support, date=date(2030, 5, 9), name="Support only"
    )
    assert maud.post(remove_url(theirs)).status_code == 404
    # A campaign's own holiday is removed from its campaign's tab, not here.
    assert maud.post(remove_url(campaign_own)).status_code == 404
    assert Holiday.objects.count() == 2
    page = maud.get(PAGE).content.decode()
    assert "Globex" not in page and "Support only" not in page
    maud.post(ADD, {"date": "2030-05-08", "name": "8 mai"})  # the same date as theirs: fine
    assert domain_wide(acme.domain) == [("2030-05-08", "8 mai")]
    assert domain_wide(globex.domain) == [("2030-05-08", "Globex")]


def test_only_the_domains_managers_may_call_the_actions(acme: Acme) -> None:
    globex = make_acme("globex")
    outsider = manager(globex)
    with pytest.raises(Exception, match="campaign managers"):
        add_french_holidays(acme.domain, year=2030, by=outsider)
    assert not Holiday.objects.exists()


def test_a_domain_holiday_closes_every_campaign(acme: Acme, maud: Client) -> None:
    maud.post(ADD, {"date": "2030-05-01", "name": "1er mai"})
    since = date(2030, 4, 30)
    assert holidays(acme.support, since) == {date(2030, 5, 1): "1er mai"}
    assert holidays(acme.orders, since) == {date(2030, 5, 1): "1er mai"}
