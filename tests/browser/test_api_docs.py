"""The API documentation page renders every operation from static files, under the Content Security Policy."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_docs_page_lists_the_operations_without_csp_violations(new_page):
    page = new_page(locale="en-US")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() == 19
    assert page.locator(".opblock-summary-path", has_text="/api/v1/applications/{id}/transition/").count() == 1
    assert [p for p in problems if "Content Security Policy" in p or "failed:" in p] == []
