from __future__ import annotations

from rest_framework.fields import Field
from wagtail import blocks
from wagtail.rich_text import expand_db_html


class RichTextHTMLField(Field):
    """API value of a RichTextField: ready-to-show HTML (internal links resolved)."""

    def to_representation(self, value):
        return expand_db_html(value or "")


class ApiRichTextBlock(blocks.RichTextBlock):
    """Rich text whose API value is ready-to-show HTML (internal links resolved)."""

    def get_api_representation(self, value, context=None):
        return expand_db_html(value.source)


class NoticeBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="Cím / Title", max_length=120)
    text = blocks.TextBlock(label="Szöveg / Text")

    class Meta:
        icon = "warning"
        label = "Közlemény / Notice"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label="Alcím / Heading", max_length=120, icon="title")
    paragraph = ApiRichTextBlock(label="Bekezdés / Paragraph", features=["bold", "italic", "link", "ol", "ul", "h3"])
    notice = NoticeBlock()
