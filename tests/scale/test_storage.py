"""Media: a local folder by default, an S3-compatible bucket when configured by environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from django.conf import settings
print(json.dumps({"default": settings.STORAGES["default"]}))
"""


def settings_with(**env) -> dict:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("AWS_STORAGE_BUCKET_NAME", "S3_BUCKET")
    }
    environment.update(DJANGO_SETTINGS_MODULE="arras_quartiers.settings", TESTING="1", **env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)["default"]


def test_local_private_folder_by_default():
    storage = settings_with()
    assert storage["BACKEND"] == "foundation.storage.AtomicFileSystemStorage"
    assert storage["OPTIONS"]["base_url"] is None


@pytest.mark.parametrize("variable", ["AWS_STORAGE_BUCKET_NAME", "S3_BUCKET"])
def test_s3_bucket_when_configured_private_and_unsigned(variable):
    storage = settings_with(
        **{variable: "quartiers-media", "AWS_S3_ENDPOINT_URL": "https://s3.example"}
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "quartiers-media"
    assert options["endpoint_url"] == "https://s3.example"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is False  # served through the access-checked views only
    assert options["file_overwrite"] is False


def test_s3_storage_builds_when_the_extra_is_installed(settings):
    pytest.importorskip("storages.backends.s3")
    from django.core.files.storage import storages

    settings.STORAGES = {**settings.STORAGES, "default": settings_with(S3_BUCKET="quartiers-media")}
    storage = storages.create_storage(settings.STORAGES["default"])
    assert storage.bucket_name == "quartiers-media"
    assert storage.default_acl == "private"
    assert "Signature" not in storage.url("observations/2026/01/photo.jpg")
