"""Uploaded and rendered files (imports, letters, invoice PDFs) are reached only through views that
check who asks: MEDIA_URL is not a route, not even in DEBUG, where `make run`'s demo runs."""

from __future__ import annotations

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve


def test_media_files_have_no_public_route_even_in_debug(settings):
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/media/imports/2026/12/naleznosci.csv")
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
