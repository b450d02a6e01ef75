"""/api/v1/docs in a real browser: Swagger UI from the local swagger-ui-dist package renders every
router's operations, and not one request leaves the server's own host (an intranet has no
internet). Screenshots (desktop and phone) go to var/screenshots/."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.test_region_pages import DESKTOP, PHONE


def test_the_docs_render_offline(browser, live_url, shot):
    own = urlsplit(live_url).netloc
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        requested: list[str] = []
        context.on("request", lambda request, seen=requested: seen.append(request.url))
        # Anything for another host is refused, so a CDN reference could not render the page.
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if urlsplit(route.request.url).netloc == own else route.abort()
            ),
        )
        page = context.new_page()
        page.goto(f"{live_url}/api/v1/docs")
        # Swagger UI renders a long list of operations lazily (only what is on screen).
        page.wait_for_selector(".opblock-tag", timeout=90_000)
        page.wait_for_load_state("networkidle")
        tags = {t.split()[0] for t in page.locator(".opblock-tag").all_inner_texts()}
        assert {"auth", "accounts"} <= tags
        assert "振兴 Zhenxing API" in page.locator(".info .title").inner_text()
        page.locator(".opblock-summary", has_text="/api/v1/auth/token").first.click()
        page.wait_for_selector(".opblock-body")
        external = [url for url in requested if urlsplit(url).netloc not in {own, ""}]
        assert external == [], external
        assert any("/static/vendor/swagger-ui/" in url for url in requested)
        shot(page, f"api-docs-{name}")
        context.close()
