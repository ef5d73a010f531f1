"""Media on S3-compatible storage when a bucket is configured, the filesystem otherwise
(lms/settings/base.py, "Media on S3-compatible object storage"). No network: the storage
is built and asked for a signed URL, which boto3 computes locally."""

import json
from urllib.parse import parse_qs, urlsplit

from tests.lms.test_settings import production_python

# Production settings imported with the environment given, then only what a storage needs
# (django.setup() would load every app: seconds for nothing here).
CODE = """
import json
from django.conf import settings
import lms.settings.production as production
settings.configure(**{name: getattr(production, name) for name in dir(production) if name.isupper()})
from django.core.files.storage import storages
storage = storages["default"]
out = {"backend": settings.STORAGES["default"]["BACKEND"], "class": type(storage).__name__}
if out["class"] == "S3Storage":
    out.update(bucket=storage.bucket_name, endpoint=storage.endpoint_url, location=storage.location,
               overwrite=storage.file_overwrite, url=storage.url("certificates/abc.pdf"))
print(json.dumps(out))
"""


def _storage_with(**env) -> dict:
    result = production_python(CODE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_media_on_the_filesystem_without_a_bucket():
    assert _storage_with() == {
        "backend": "django.core.files.storage.FileSystemStorage",
        "class": "FileSystemStorage",
    }


def test_media_on_s3_compatible_storage_when_a_bucket_is_named():
    storage = _storage_with(
        AWS_STORAGE_BUCKET_NAME="kynangso-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.vn",
        AWS_S3_REGION_NAME="hn-1",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret-example",
    )
    assert storage["backend"] == "storages.backends.s3.S3Storage" and storage["class"] == "S3Storage"
    assert storage["bucket"] == "kynangso-media" and storage["endpoint"] == "https://s3.example.vn"
    assert storage["location"] == "media" and storage["overwrite"] is False
    # A private object: the link is signed and expires.
    url = urlsplit(storage["url"])
    assert (url.scheme, url.netloc) == ("https", "s3.example.vn")
    assert url.path == "/kynangso-media/media/certificates/abc.pdf"
    query = parse_qs(url.query)
    assert "X-Amz-Signature" in query and query["X-Amz-Expires"] == ["3600"]


def test_s3_aliases_are_accepted():
    storage = _storage_with(S3_BUCKET_NAME="kynangso-media", S3_ENDPOINT_URL="http://127.0.0.1:9000",
                            AWS_ACCESS_KEY_ID="a", AWS_SECRET_ACCESS_KEY="b")
    assert storage["bucket"] == "kynangso-media" and storage["endpoint"] == "http://127.0.0.1:9000"
