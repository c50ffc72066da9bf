"""Pages go out gzip-compressed to browsers that ask; files, sign-in pages and anything
already encoded go out as they are (``psp.middleware.CompressPagesMiddleware``)."""

from __future__ import annotations

import gzip
import io
import re
from typing import Any

import pytest
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.test import Client, RequestFactory

from psp.middleware import CompressPagesMiddleware

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_page_is_gzip_encoded_when_asked_and_smaller(personas, client_for):
    client = client_for(personas["door_parent_partner"])
    plain = client.get("/mentoring/")
    compressed = client.get("/mentoring/", headers=GZIP)
    assert plain.status_code == compressed.status_code == 200
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert len(compressed.content) < len(plain.content) / 2
    assert "</html>" in gzip.decompress(compressed.content).decode()


def test_the_csrf_token_differs_in_each_compressed_page(personas, client_for):
    """BREACH needs a secret that stays the same from one response to the next."""
    client = client_for(personas["door_coordinator"])
    tokens = set()
    for _ in range(2):
        response = client.get("/programs/door/settings/", headers=GZIP)
        page = gzip.decompress(response.content).decode()
        tokens.update(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 2


def test_sign_in_pages_are_not_compressed():
    response = Client().get("/accounts/login/", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def compress(response: HttpResponseBase, path: str = "/reports/1/pdf/") -> Any:
    request = RequestFactory().get(path, headers=GZIP)
    return CompressPagesMiddleware(lambda request: response)(request)


def test_a_streamed_file_keeps_its_bytes_and_length():
    pdf = b"%PDF-1.7 " + b"0" * 5000
    response = compress(FileResponse(io.BytesIO(pdf), content_type="application/pdf"))
    assert "Content-Encoding" not in response
    assert response["Content-Length"] == str(len(pdf))
    assert b"".join(response.streaming_content) == pdf


def test_a_zip_file_is_not_compressed_again():
    response = compress(HttpResponse(b"PK" + b"0" * 5000, content_type="application/zip"))
    assert "Content-Encoding" not in response


def test_content_already_encoded_is_left_alone():
    body = b"x" * 5000
    already = HttpResponse(gzip.compress(body), content_type="text/csv")
    already["Content-Encoding"] = "gzip"
    response = compress(already, "/mentoring/cases/export.csv")
    assert gzip.decompress(response.content) == body


def test_a_csv_download_is_compressed():
    response = compress(HttpResponse("a,b\n" * 2000, content_type="text/csv"), "/x.csv")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == b"a,b\n" * 2000
