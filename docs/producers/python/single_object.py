"""Avro single-object encoding, as Sluice reads and writes it: C3 01, the writer schema's fingerprint, the record.

python3-avro 1.11 has no fingerprint helper, so the fingerprint is computed as the Avro specification defines it:
CRC-64-AVRO (the 64-bit Rabin fingerprint with the spec's EMPTY constant) over the schema's Parsing Canonical Form
(python3-avro's `canonical_form`), written little-endian. It equals Java's SchemaNormalization.parsingFingerprint64.
"""
import io
import struct

import avro.io

MARKER = b"\xc3\x01"
EMPTY = 0xC15D213AA4D7A795  # the spec's CRC-64-AVRO seed; also the fingerprint of no bytes
TABLE = []
for i in range(256):
    fp = i
    for _ in range(8):
        fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
    TABLE.append(fp)


def fingerprint(schema):
    fp = EMPTY
    for byte in schema.canonical_form.encode("utf-8"):
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp


def encode(schema, record):
    out = io.BytesIO()
    out.write(MARKER + struct.pack("<Q", fingerprint(schema)))
    avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(out))
    return out.getvalue()


def decode(schemas_by_fingerprint, value):
    """The record in `value`, read with the writer schema its header names (KeyError: an unknown one)."""
    if value[:2] != MARKER:
        raise ValueError("not Avro single-object encoding")
    (fp,) = struct.unpack("<Q", value[2:10])
    writer = schemas_by_fingerprint[fp]
    return avro.io.DatumReader(writer).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
