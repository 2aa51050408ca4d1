"""Decision documents: rendering (PDF/A-3b), PAdES signing and verification.

    render.decision_pdf(DecisionData) -> bytes
    signing.sign_pdf(pdf, *, reason, location, field_name="Hitelesítés") -> SignedDocument
    verification.verify_pdf(pdf) -> VerificationReport

Import from the submodules: pyhanko and the typesetter are heavy and only the workers and
the verification page need them. See docs/documents-and-signing.md.
"""
