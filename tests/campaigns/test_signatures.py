"""Signatures in rich text (campaigns.signatures): HTML is sanitised when saved and when sent,
plain text keeps working as it always did, and the variables' values can never add markup."""

from comptoir.campaigns.signatures import (
    clean_signature,
    is_html,
    render_signature,
    sanitize_signature,
)

VALUES = {
    "customer_name": "Claire <b>Martin</b> & Co",
    "customer_email": "claire@client.test",
    "agent_name": "Alice",
    "campaign_name": "Support",
    "ticket_number": "42",
}

HOSTILE = (
    '<p onclick="steal()" style="position:fixed" class="x">Alice'
    "<script>alert(1)</script><style>p{display:none}</style>"
    '<img src="x" onerror="alert(2)"><img src="http://tracker.test/p.png">'
    '<a href="javascript:alert(3)">click</a><a href="data:text/html,hi">data</a>'
    '<a href="/relative">rel</a><iframe src="https://evil.test"></iframe>'
    '<svg onload="alert(4)"></svg><form action="https://evil.test"><input name=x></form></p>'
)


def test_plain_text_is_told_from_html_by_its_tags() -> None:
    assert not is_html("Alice Martin\nSupport Acme <support@acme.test>")
    assert not is_html("Alice <Alice Martin> & R&D, 3 < 4 > 2")
    assert is_html("Alice<br>Support")
    assert is_html("<p>Alice</p>")
    assert is_html('<A HREF="https://acme.test">Acme</A>')
    assert is_html("<script>alert(1)</script>")


def test_a_hostile_signature_is_sanitised_when_saved() -> None:
    cleaned = clean_signature(HOSTILE)
    lowered = cleaned.lower()
    for banned in (
        "script",
        "alert",
        "onclick",
        "onerror",
        "onload",
        "style",
        "class=",
        "javascript:",
        "data:",
        "/relative",
        "iframe",
        "svg",
        "form",
        "input",
        "http://tracker",
        'src="x"',
    ):
        assert banned not in lowered, banned
    assert cleaned.startswith("<p>Alice")
    assert ">click</a>" in cleaned  # the words of a refused link stay, the link goes


def test_basic_formatting_links_and_https_images_are_kept() -> None:
    signature = (
        "<p><b>Alice</b> <i>Martin</i> <u>Acme</u> <strong>S</strong> <em>E</em> <small>s</small>"
        '<br><a href="https://acme.test/aide" title="Aide">Aide</a> '
        '<a href="mailto:support@acme.test">support@acme.test</a> '
        '<img src="https://acme.test/logo.png" alt="Acme" width="80" height="20"></p>'
    )
    cleaned = sanitize_signature(signature)
    for kept in (
        "<b>Alice</b>",
        "<i>Martin</i>",
        "<u>Acme</u>",
        "<strong>S</strong>",
        "<em>E</em>",
        "<small>s</small>",
        "<br>",
        'href="https://acme.test/aide"',
        'title="Aide"',
        'href="mailto:support@acme.test"',
        'src="https://acme.test/logo.png"',
        'alt="Acme"',
        'width="80"',
    ):
        assert kept in cleaned, kept


def test_plain_text_is_stored_as_typed_and_sent_as_it_was() -> None:
    text = "Alice — {{ campaign_name }}\n  Tél. 01 02 03 04 05\nR&D <alice@acme.test>"
    assert clean_signature(text) == text
    rendered = render_signature(text, VALUES)
    assert rendered.text == "Alice — Support\n  Tél. 01 02 03 04 05\nR&D <alice@acme.test>"
    assert rendered.html == (
        "Alice — Support<br>\n  Tél. 01 02 03 04 05<br>\nR&amp;D &lt;alice@acme.test&gt;"
    )


def test_html_whose_tags_are_all_refused_stays_html() -> None:
    # Read back as plain text, "&amp;" would be shown as it is written.
    stored = clean_signature("<span>Tom & Jerry</span>")
    assert stored == "<div>Tom &amp; Jerry</div>"
    assert render_signature(stored, VALUES).text == "Tom & Jerry"
    assert clean_signature("<script>alert(1)</script>") == ""


def test_variables_values_are_escaped_into_the_html() -> None:
    signature = "<p>Pour {{ customer_name }}<br>{{ agent_name }}</p>"
    rendered = render_signature(signature, VALUES)
    assert "Claire &lt;b&gt;Martin&lt;/b&gt; &amp; Co" in rendered.html
    assert "<b>Martin</b>" not in rendered.html
    assert rendered.text == "Pour Claire <b>Martin</b> & Co\nAlice"


def test_a_variable_cannot_turn_a_link_into_a_script() -> None:
    # Saved, a link must start with http, https or mailto: a variable alone is refused.
    stored = clean_signature(
        '<a href="{{ customer_name }}">x</a><a href="https://a.test/{{ ticket_number }}">t</a>'
    )
    assert 'href="{{ customer_name }}"' not in stored
    hostile = dict(VALUES, ticket_number='1"><script>alert(1)</script>')
    rendered = render_signature(stored, hostile)
    assert "<script" not in rendered.html
    assert 'href="https://a.test/1&quot;&gt;&lt;script&gt;' in rendered.html


def test_html_stored_before_sanitising_is_sanitised_when_sent() -> None:
    rendered = render_signature(HOSTILE, VALUES)
    assert "script" not in rendered.html and "onerror" not in rendered.html
    assert "javascript:" not in rendered.html
    assert "alert" not in rendered.text


def test_the_text_part_writes_links_as_text_and_address() -> None:
    signature = (
        '<p><b>Alice Martin</b><br>Acme — <a href="https://acme.test/aide">centre d\'aide</a>'
        '<br><a href="mailto:support@acme.test">Écrivez-nous</a>'
        '<br><a href="mailto:support@acme.test">support@acme.test</a>'
        '<br><a href="https://acme.test">https://acme.test</a></p>'
        '<p><img src="https://acme.test/logo.png" alt="Logo Acme"></p>'
    )
    assert render_signature(signature, VALUES).text == (
        "Alice Martin\n"
        "Acme — centre d'aide <https://acme.test/aide>\n"
        "Écrivez-nous <support@acme.test>\n"
        "support@acme.test\n"
        "https://acme.test\n\n"
        "[Logo Acme]"
    )


def test_a_blank_signature_renders_nothing() -> None:
    assert render_signature("  \n", VALUES).text == ""
    assert render_signature("", VALUES).html == ""
