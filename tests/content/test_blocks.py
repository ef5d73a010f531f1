import pytest
from django.core.exceptions import ValidationError
from wagtail_factories import DocumentFactory, ImageFactory

from content.blocks import FeaturedLinkBlock, ImageBlock, StepBlock, VideoBlock

pytestmark = pytest.mark.django_db


def _clean(block, raw: dict):
    return block.clean(block.to_python(raw))


def test_image_needs_alt_text():
    image = ImageFactory()
    with pytest.raises(ValidationError):
        _clean(ImageBlock(), {"image": image.pk, "alt_text": "", "caption": ""})
    value = _clean(ImageBlock(), {"image": image.pk, "alt_text": "Ảnh lớp học", "caption": ""})
    assert value["alt_text"] == "Ảnh lớp học"


def test_step_screenshot_needs_a_description():
    image = ImageFactory()
    with pytest.raises(ValidationError):
        _clean(StepBlock(), {"text": "<p>Bấm nút</p>", "screenshot": image.pk, "screenshot_alt": ""})
    assert _clean(StepBlock(), {"text": "<p>Bấm nút</p>", "screenshot": None, "screenshot_alt": ""})


@pytest.mark.parametrize("has_embed,has_file", [(False, False), (True, True)])
def test_video_needs_exactly_one_source(has_embed, has_file, monkeypatch):
    # EmbedBlock checks the address with the provider; no network in tests.
    monkeypatch.setattr("wagtail.embeds.blocks.EmbedBlock.clean", lambda self, value: value)
    raw = {
        "title": "Video",
        "embed": "https://www.youtube.com/watch?v=x" if has_embed else None,
        "file": DocumentFactory().pk if has_file else None,
        "transcript": "<p>Lời</p>",
    }
    with pytest.raises(ValidationError):
        _clean(VideoBlock(), raw)


def test_video_needs_a_transcript():
    raw = {"title": "Video", "embed": None, "file": DocumentFactory().pk, "transcript": ""}
    with pytest.raises(ValidationError):
        _clean(VideoBlock(), raw)
    raw["transcript"] = "<p>Lời</p>"
    assert _clean(VideoBlock(), raw)["file"] is not None


def test_featured_link_needs_page_or_address():
    with pytest.raises(ValidationError):
        _clean(FeaturedLinkBlock(), {"title": "X", "description": "", "page": None, "url": ""})
    value = _clean(FeaturedLinkBlock(), {"title": "X", "description": "", "page": None,
                                          "url": "https://dichvucong.gov.vn"})
    assert value["url"] == "https://dichvucong.gov.vn"
