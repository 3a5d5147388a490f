"""Why a reply was not delivered, in the reader's language (tickets.delivery_problems): every
kind in French and in English, the French with no English left in it; what the server or the
operating system said is quoted as it came."""

from typing import Any

from comptoir.tickets.delivery_problems import KINDS, problem, problem_sentence
from tests.tickets.test_history_words import words

SERVER = "smtp://mx.acme.test:25"
ANSWER = "550 5.1.1 no such user"
PROBLEMS: dict[str, dict[str, Any]] = {
    "answer": {"answer": ANSWER},
    "session-refused": {"server": SERVER, "answer": "530 5.7.0 authentication required"},
    "connection": {"server": SERVER, "error": "[Errno 111] Connection refused"},
    "recipients-refused": {"refused": {"claire@client.test": ANSWER, "paul@client.test": ANSWER}},
    "no-smtputf8": {"server": SERVER, "addresses": "zoé@client.test"},
    "maildir": {"error": "[Errno 28] No space left on device"},
    "gave-up": {"attempts": 4, "cause": {"kind": "answer", "answer": "451 4.3.0 try later"}},
    "partial": {"refused": {"paul@client.test": ANSWER}},
    "report": {"status": "5.1.1", "diagnostic": "smtp; 550 user unknown"},
    "error": {"error": "SMTPServerDisconnected: Connection unexpectedly closed"},
}


def test_every_problem_is_said_in_french_and_in_english() -> None:
    assert set(PROBLEMS) == set(KINDS)
    for kind, params in PROBLEMS.items():
        data = problem(kind, **params)
        english, french = problem_sentence(data, "en"), problem_sentence(data, "fr")
        assert english and french and english != french, kind
        # The cause of a give-up is said in words too: its parameters only are quoted.
        quoted = {**params, "cause": params.get("cause", {}).get("answer", "")}
        assert not words(english, quoted) & words(french, quoted), (kind, english, french)


def test_the_words_quote_what_the_server_said() -> None:
    given_up = problem("gave-up", attempts=1, cause=problem("answer", answer="451 busy"))
    assert problem_sentence(given_up, "en") == (
        "gave up after 1 attempt: the mail server answered 451 busy"
    )
    assert problem_sentence(given_up, "fr") == (
        "abandon après 1 tentative : le serveur de messagerie a répondu 451 busy"
    )
    assert problem_sentence(problem("report"), "fr") == (
        "un rapport de remise indique : échec de la remise"
    )


def test_an_unknown_kind_says_nothing() -> None:
    assert problem_sentence({"kind": "later"}, "fr") == ""
    assert problem_sentence({}, "en") == ""
