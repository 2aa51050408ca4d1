"""Page types served headless to the SPA through Wagtail's API v2."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock, RichTextHTMLField


class HomePage(Page):
    """The portal's front page, one per language (Hungarian source, English translation)."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    api_fields = [APIField("intro"), APIField("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types = ["cms.StandardPage", "cms.ServicePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    """A plain content page (information, help, privacy notice)."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    api_fields = [APIField("intro"), APIField("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class ServicePage(Page):
    """What an e-service is, for residents: procedure, legal basis, documents, deadlines, fee,
    and the link to the online application (the SPA's wizard for `service_code`)."""

    service_code = models.SlugField(
        _("service code"), max_length=40, help_text=_("The e-service this page describes, e.g. parking_permit.")
    )
    intro = models.TextField(_("introduction"), blank=True)
    who_can_apply = RichTextField(_("who can apply"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    procedure = StreamField(BodyBlock(), blank=True, use_json_field=True, verbose_name=_("procedure"))
    documents_needed = RichTextField(_("documents needed"), blank=True, features=["bold", "italic", "link", "ul"])
    deadlines = RichTextField(_("deadlines"), blank=True, features=["bold", "italic", "link", "ul"])
    fee = models.CharField(_("fee"), max_length=200, blank=True)
    legal_basis = RichTextField(_("legal basis"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = [
        *Page.content_panels,
        FieldPanel("service_code"),
        FieldPanel("intro"),
        FieldPanel("who_can_apply"),
        FieldPanel("procedure"),
        FieldPanel("documents_needed"),
        FieldPanel("deadlines"),
        FieldPanel("fee"),
        FieldPanel("legal_basis"),
    ]
    api_fields = [
        APIField("service_code"),
        APIField("intro"),
        APIField("who_can_apply", serializer=RichTextHTMLField()),
        APIField("procedure"),
        APIField("documents_needed", serializer=RichTextHTMLField()),
        APIField("deadlines", serializer=RichTextHTMLField()),
        APIField("fee"),
        APIField("legal_basis", serializer=RichTextHTMLField()),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("procedure")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("service page")
