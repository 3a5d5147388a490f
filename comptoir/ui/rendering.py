"""Mail HTML as the thread shows it."""

import nh3

# Ingest already sanitised Message.html (comptoir.lib.html); this second pass at render time
# is defence in depth against an older row or a bug upstream. Links keep web and mail
# schemes; remote images are still kept from loading by the thread page's CSP (img-src).
URL_SCHEMES = {"http", "https", "mailto", "cid"}


def resanitize_html(html: str) -> str:
    if not html:
        return ""
    return nh3.clean(html, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
