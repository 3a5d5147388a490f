"""comptoir.lib.html: the text rendering of HTML bodies and the sanitised HTML shown to agents."""

from comptoir.lib.html import html_to_text, sanitize_html


def test_html_to_text_breaks_blocks_and_drops_scripts_and_styles() -> None:
    html = "<style>p{}</style><div>one</div><div>two<br>three</div><script>x()</script><p>four</p>"
    assert html_to_text(html) == "one\ntwo\nthree\n\nfour"


def test_html_to_text_shows_link_targets_and_quotes() -> None:
    html = '<p>See <a href="https://x.example/a">terms</a></p><blockquote><p>old</p></blockquote>'
    assert html_to_text(html) == "See terms (https://x.example/a)\n\n> old"


def test_html_to_text_keeps_preformatted_spacing_and_decodes_entities() -> None:
    assert html_to_text("<pre>a  b\n  c</pre><p>&eacute;t&eacute; &amp; co</p>") == (
        "a  b\n  c\n\nété & co"
    )


def test_sanitize_drops_scripts_event_handlers_and_styles() -> None:
    html = '<p onclick="x()">Hi<script>alert(1)</script></p><style>p{color:red}</style>'
    assert sanitize_html(html) == "<p>Hi</p>"


def test_sanitize_keeps_tables_and_safe_formatting() -> None:
    html = '<table border="1"><tr><td colspan="2"><b>x</b></td></tr></table>'
    assert sanitize_html(html) == (
        '<table border="1"><tbody><tr><td colspan="2"><b>x</b></td></tr></tbody></table>'
    )


def test_sanitize_keeps_text_styles_but_not_url_loading_ones() -> None:
    html = '<span style="color: red; background-image: url(https://t.example/p.gif)">x</span>'
    assert sanitize_html(html) == '<span style="color:red">x</span>'


def test_sanitize_keeps_cid_data_and_https_images_only() -> None:
    html = (
        '<img src="cid:logo@x"><img src="data:image/png;base64,AAAA">'
        '<img src="https://t.example/p.gif"><img src="http://t.example/p.gif">'
        '<img src="javascript:alert(1)">'
    )
    assert sanitize_html(html) == (
        '<img src="cid:logo@x"><img src="data:image/png;base64,AAAA">'
        '<img src="https://t.example/p.gif"><img><img>'
    )


def test_sanitize_links_get_noopener_and_lose_dangerous_targets() -> None:
    html = '<a href="https://x.example">ok</a><a href="data:text/html,hi">bad</a>'
    assert sanitize_html(html) == (
        '<a href="https://x.example" rel="noopener noreferrer">ok</a>'
        '<a rel="noopener noreferrer">bad</a>'
    )
