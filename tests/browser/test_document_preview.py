"""The document reviewer sees a PDF's pages in Chromium (its own PDF viewer stays blank in a sandbox)."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from onboarding.enums import State
from tests.factories import ApplicationFactory, advance, drawn_pdf, user_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pdf_preview_renders_a_page(new_page):
    user_with(Role.DOCUMENT_REVIEWER, username="liqiang", language="zh-hans")
    application = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
    document = application.documents.get(document_type__code="business_licence", is_current=True)
    with open(document.file.path, "wb") as handle:  # a real PDF instead of the factory's stub
        handle.write(drawn_pdf())
    page = new_page()
    page.goto("/login/")
    page.fill("#id_username", "liqiang")
    page.fill("#id_password", "pw-Vetted-2026")
    page.click("button[type=submit]")
    page.goto(f"/applications/{application.pk}/review/")

    image = page.get_by_role("img", name=f"{document.original_name}，第 1 页")
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 1000
    shot = Image.open(io.BytesIO(image.screenshot())).convert("L")
    dark = sum(shot.histogram()[:64]) / (shot.width * shot.height)
    assert 0.4 < dark < 0.6  # the black rectangle drawn on the page, not a blank frame
