"""The campaign editor's forms only present what the actions refuse (issue 12 §2): a value
the form lets through and the action refuses comes back next to its field, in the reader's
language, with the page (never a 500), and nothing is saved."""

import pytest
from django.test import Client

from comptoir.campaigns.models import Campaign
from tests.conftest import Acme
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for
from tests.ui.test_campaign_editor import info_data


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"auto_reply_daily_limit": -1}, "Enter a whole number from 0 to 1000."),
        ({"auto_reply_daily_limit": 10**12}, "Enter a whole number from 0 to 1000."),
        ({"auto_reply_hourly_limit": -3}, "Enter a whole number from 0 to 100000."),
        ({"sender_email": "help@globex.test"}, "not in one of your domain"),
    ],
)
def test_the_information_tab_shows_the_actions_refusal(
    acme: Acme, maud: Client, changes: dict[str, object], message: str
) -> None:
    before = Campaign.objects.values().get(pk=acme.support.pk)
    response = maud.post(url("manage_info", acme), info_data(acme.support, **changes))
    assert response.status_code == 400  # the page again, with its errors (the editor's rule)
    assert message in response.text
    assert Campaign.objects.values().get(pk=acme.support.pk) == before


def test_the_advanced_tab_shows_the_actions_refusal_in_french(acme: Acme) -> None:
    user = manager(acme)
    user.language = "fr"
    user.save()
    data = {"priority": 0, "max_attempts": 0, "blocking_minutes": -1}
    response = client_for(user).post(url("manage_advanced", acme), data)
    assert response.status_code == 400
    assert "Saisissez un nombre entier de 1 à 1000." in response.text
    assert "Saisissez un nombre entier de 0 à 100000." in response.text
    acme.support.refresh_from_db()
    assert (acme.support.max_attempts, acme.support.blocking_minutes) == (5, 60)
