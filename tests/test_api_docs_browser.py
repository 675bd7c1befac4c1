"""The interactive API docs render in a real browser from this site alone:
no request leaves the machine (no CDN), and the page's CSP is not broken."""

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_with_every_asset_served_locally(live_server, desktop_page, screenshot_dir):
    own_host = urlparse(live_server.url).netloc
    outside, csp_violations = [], []
    desktop_page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlparse(request.url).netloc != own_host and not request.url.startswith("data:")
            else None
        ),
    )
    desktop_page.on(
        "console",
        lambda message: csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    desktop_page.goto(f"{live_server.url}/api/docs/")
    desktop_page.wait_for_selector(".opblock-summary-path", timeout=20_000)

    paths = desktop_page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/me/" in path for path in paths)
    desktop_page.screenshot(path=screenshot_dir / "api-docs.png", full_page=False)
    assert outside == []
    assert csp_violations == []
