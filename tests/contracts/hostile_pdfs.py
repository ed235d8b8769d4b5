"""Hostile but well-formed PDFs for the verification limits (tests and
benchmarks/verify_abuse.py)."""

from __future__ import annotations


def many_signature_fields(count: int) -> bytes:
    """A valid PDF (ISO 32000 classic xref table) whose form lists `count` empty signature
    fields: cheap to make, costly to check (pyHanko inspects every field; ~3 s of CPU for
    20,000 fields, ~1.5 MB)."""
    fields = b" ".join(b"%d 0 R" % (i + 3) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + fields + b"] >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        *(b"<< /FT /Sig /T (s%d) >>" % i for i in range(count)),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def fields_for_size(size: int) -> int:
    """How many fields make `many_signature_fields` at most `size` bytes (about 78 bytes a
    field at these counts)."""
    count = max(1, size // 80)
    while count > 1 and len(many_signature_fields(count)) > size:
        count = int(count * 0.98)
    return count
