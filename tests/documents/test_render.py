"""Rendering decisions: PDF/A-3b, embedded fonts, extractable Hungarian text, attached data."""

from __future__ import annotations

import io
import json
import subprocess

import pikepdf
import pytest

from eservices.documents.render import ATTACHMENT_NAME, decision_pdf, hu_date
from tests.documents.samples import granted_decision, refused_decision


def pdftotext(pdf: bytes) -> str:
    """The text as poppler extracts it, whitespace collapsed and hyphenation (U+2010 at line ends) undone."""
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    text = result.stdout.decode("utf-8").replace("\u2010\n", "")
    return " ".join(text.split())


def all_fonts(pdf: pikepdf.Pdf):
    seen = set()
    for page in pdf.pages:
        fonts = page.Resources.get("/Font", {})
        for _, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            yield font
            yield from font.get("/DescendantFonts", [])


def test_granted_decision_is_pdfa_3b(granted_pdf):
    # given a granted decision rendered to PDF
    with pikepdf.open(io.BytesIO(granted_pdf)) as pdf:
        # then the XMP metadata claim PDF/A-3B and an sRGB output intent is present
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3"
        assert meta["pdfaid:conformance"] == "B"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        assert intents[0].S == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]
        # and the document is in Hungarian, with a title
        assert str(pdf.Root.Lang) == "hu"
        assert meta["dc:title"].startswith("Határozat – lakossági várakozási hozzájárulás – XII/12345-2/2026")
        assert pdf.docinfo["/Title"] == meta["dc:title"]
        assert "/StructTreeRoot" in pdf.Root  # tagged: real text structure for screen readers
        # and it also claims PDF/UA-1 (checked by the typesetter), showing its title, not its file name
        assert meta["pdfuaid:part"] == "1"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def structure(pdf: pikepdf.Pdf) -> tuple[list[str], dict[str, list[str]]]:
    """The structure elements in reading order and the alternative texts by element type."""
    kinds: list[str] = []
    alternatives: dict[str, list[str]] = {}

    def walk(element):
        if isinstance(element, pikepdf.Array):
            for kid in element:
                walk(kid)
        elif isinstance(element, pikepdf.Dictionary):
            if "/S" in element:
                kinds.append(str(element.S)[1:])
                if "/Alt" in element:
                    alternatives.setdefault(str(element.S)[1:], []).append(str(element.Alt))
            if "/K" in element:
                walk(element.K)

    walk(pdf.Root.StructTreeRoot.K)
    return kinds, alternatives


def test_structure_is_there_for_screen_readers(granted_pdf):
    with pikepdf.open(io.BytesIO(granted_pdf)) as pdf:
        kinds, alternatives = structure(pdf)
    # one title, then sections; the checks are a table with column headers; the legal basis a list
    assert kinds.count("H1") == 1 and kinds.index("H1") < kinds.index("H2")
    assert {"Table", "THead", "TH", "TD", "Caption", "L", "LI", "Link"} <= set(kinds)
    assert kinds.count("TH") == 3
    # the QR code is a figure that says what it is for
    assert alternatives["Figure"] == ["QR-kód: a határozat hitelességének ellenőrzése"]


def test_every_font_is_embedded(granted_pdf, refused_pdf):
    for document in (granted_pdf, refused_pdf):
        with pikepdf.open(io.BytesIO(document)) as pdf:
            fonts = list(all_fonts(pdf))
            descriptors = [font.FontDescriptor for font in fonts if "/FontDescriptor" in font]
            # Type0 fonts carry their program in the descendant's descriptor
            assert descriptors, "no font descriptors found"
            for descriptor in descriptors:
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), descriptor.FontName
            names = {str(descriptor.FontName).split("+", 1)[-1] for descriptor in descriptors}
            assert names <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSans", "LiberationSans-Bold"}, names


def test_hungarian_text_is_extractable(granted_pdf):
    text = pdftotext(granted_pdf)
    for expected in (
        "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat Jegyzője",
        "Ügyszám: EP-2026-000123",
        "Iktatószám: XII/12345-2/2026",
        "Tárgy: lakossági várakozási hozzájárulás",
        "HATÁROZAT",
        "kérelmének helyt adok",
        "Szőke Anna Erzsébet",
        "HV1-2026-004512",
        "2026. december 1. – 2027. november 30.",
        "Jogorvoslati tájékoztatás",
        "INDOKOLÁS",
        "2016. évi CL. törvény",
        "30/2010. (VI. 4.) Főv. Kgy. rendelete",
        "Budapest, 2026. november 21.",
        "A döntést automatikus döntéshozatali eljárásban hoztuk",
        "https://e-portal.hegyvidek.hu/ellenorzes/7f3a9c2e-5b1d-4e8a-9c0f-2d6b8e4a1f37",
        "1. oldal (összesen 2)",
    ):
        assert expected in text, expected


def test_refused_simplified_decision(refused_pdf):
    text = pdftotext(refused_pdf)
    assert "EGYSZERŰSÍTETT HATÁROZAT" in text
    assert "kérelmét az ABC-123 forgalmi rendszámú járműre elutasítom" in text
    assert "nem teljesül" in text
    assert "A lakossági várakozási hozzájárulás adatai" not in text  # no permit box


def test_decision_data_are_attached_as_json(granted_pdf):
    with pikepdf.open(io.BytesIO(granted_pdf)) as pdf:
        attachments = pdf.attachments
        assert list(attachments) == [ATTACHMENT_NAME]
        spec = attachments[ATTACHMENT_NAME]
        assert spec.obj.AFRelationship == "/Data"  # PDF/A-3 associated file
        assert len(pdf.Root.AF) == 1
        data = json.loads(spec.get_file().read_bytes())
    assert data["filing_number"] == "XII/12345-2/2026"
    assert data["outcome"] == "granted"
    assert data["permit"]["valid_until"] == "2027-11-30"
    assert data["decided_at"] == "2026-11-21T14:05:32+01:00"
    assert data["resident"]["birth_date"] == "1984-03-17"


def test_rendering_is_deterministic():
    assert decision_pdf(granted_decision()) == decision_pdf(granted_decision())


def test_qr_code_is_the_verification_url_printed_sharp(granted_pdf):
    # the one image of the decision is the QR code of the verification URL: one pixel per module,
    # exactly qrcode's matrix, drawn without interpolation (sharp squares at any zoom)
    import qrcode
    from pikepdf import PdfImage

    with pikepdf.open(io.BytesIO(granted_pdf)) as pdf:
        # pages share one resource dictionary: count each image object once
        images = list({image.objgen: image for page in pdf.pages for image in page.get_images().values()}.values())
        assert len(images) == 1
        assert images[0].get("/Interpolate", False) is False
        pixels = PdfImage(images[0]).as_pil_image().convert("L")
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    expected.add_data(granted_decision().verification_url)
    expected.make(fit=True)
    size = expected.modules_count
    assert pixels.size == (size, size)
    drawn = [[pixels.getpixel((x, y)) < 128 for x in range(size)] for y in range(size)]
    assert drawn == [[bool(cell) for cell in row] for row in expected.modules]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"kind": "order"}, "kind"),
        ({"outcome": "maybe"}, "outcome"),
        ({"permit": None}, "permit"),
    ],
)
def test_invalid_decision_data_are_rejected(overrides, message):
    with pytest.raises(ValueError, match=message):
        granted_decision(**overrides)


def test_hungarian_dates():
    from datetime import date

    assert hu_date(date(2027, 2, 1)) == "2027. február 1."
    assert refused_decision().permit is None


def test_unknown_birth_date_prints_a_dash_instead_of_failing():
    import dataclasses

    data = granted_decision()
    data = dataclasses.replace(data, resident=dataclasses.replace(data.resident, birth_date=None))
    text = pdftotext(decision_pdf(data))
    assert "Születési idő:" in text and "—" in text


def test_data_are_printed_as_text_never_run_as_template_code():
    # markup and code of the typesetting language in the data (a name, a reasoning paragraph)
    # come out literally: a client cannot change the document by what they type
    import dataclasses

    tricky = '#read("/etc/passwd") *félkövér* $x^2$ [link] <cimke> @ref \\ `kód` // megjegyzés'
    data = granted_decision(reasoning=[tricky])
    data = dataclasses.replace(data, resident=dataclasses.replace(data.resident, name="Kovács #Anna* _B_"))
    text = pdftotext(decision_pdf(data))
    assert tricky in text
    assert "Kovács #Anna* _B_" in text


def test_a_long_list_of_rules_continues_on_the_next_page():
    from tests.documents.samples import CHECKS_GRANTED

    pdf = decision_pdf(granted_decision(checks=CHECKS_GRANTED * 12))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) >= 3
    text = pdftotext(pdf)
    assert text.count("Parkolási rendszer: érvényes hozzájárulás nincs.") == 12
    assert text.count("Megállapított tény") >= 2  # the column headers repeat on the next page
