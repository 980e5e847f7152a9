"""PDF previews as page images: what the review screen shows, and what it refuses."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from onboarding import services
from onboarding.enums import State
from tests.factories import ApplicationFactory, advance, document_type, drawn_pdf, pdf_upload


def _pdf(application, content: bytes, name: str = "licence.pdf"):
    if application.state == State.DRAFT:
        return services.document_upload(
            application=application, document_type=document_type("business_licence"),
            upload=pdf_upload(name, content), actor=application.created_by,
        )
    # Past the draft nobody uploads: the stored licence's bytes become ``content``.
    document = application.documents.get(document_type__code="business_licence", is_current=True)
    with open(document.file.path, "wb") as handle:
        handle.write(content)
    return document


@pytest.mark.django_db
def test_a_pdf_page_is_served_as_a_png_that_runs_nothing(client, application):
    document = _pdf(application, drawn_pdf())
    client.force_login(application.created_by)
    response = client.get(reverse("onboarding:document_page", args=[document.pk]), {"n": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    image = Image.open(io.BytesIO(response.content)).convert("L")
    assert image.size == (1000, 1334)  # 1000 px wide, the page's proportions kept
    # The rectangle covers 200 x 300 of the 300 x 400 page: half the pixels are black.
    dark = sum(image.histogram()[:64])
    assert 0.49 < dark / (1000 * 1334) < 0.51


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"n": "2"}, {"n": "0"}, {"n": "x"}, {"n": "１"}, {"n": "99999999999999999999"}])
def test_a_page_that_is_not_there_is_a_404(client, application, query):
    document = _pdf(application, drawn_pdf())
    client.force_login(application.created_by)
    assert client.get(reverse("onboarding:document_page", args=[document.pk]), query).status_code == 404


@pytest.mark.django_db
def test_a_malformed_pdf_has_no_page_images_and_says_so(client, reviewer):
    application = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)  # its documents are stubs, not real PDFs
    client.force_login(reviewer)
    document = application.documents.filter(content_type="application/pdf").first()
    assert client.get(reverse("onboarding:document_page", args=[document.pk]), {"n": "1"}).status_code == 404
    page = client.get(reverse("onboarding:document_review", args=[application.pk])).content.decode()
    assert "This PDF cannot be shown here; download it to read it." in page
    assert "<iframe" not in page


@pytest.mark.django_db
def test_outsiders_get_no_page(client, application, other_sales):
    document = _pdf(application, drawn_pdf())
    client.force_login(other_sales)
    assert client.get(reverse("onboarding:document_page", args=[document.pk]), {"n": "1"}).status_code == 404


@pytest.mark.django_db
def test_the_review_screen_shows_the_first_ten_pages_and_says_the_rest_are_in_the_download(client, reviewer):
    application = advance(ApplicationFactory(), State.DOCUMENT_REVIEW)
    document = _pdf(application, drawn_pdf(pages=12), name="statements.pdf")
    client.force_login(reviewer)
    page = client.get(reverse("onboarding:document_review", args=[application.pk])).content.decode()
    url = reverse("onboarding:document_page", args=[document.pk])
    assert [n for n in range(1, 13) if f'src="{url}?n={n}"' in page] == list(range(1, 11))
    assert "The preview shows the first 10 pages; download the file for the rest." in page
