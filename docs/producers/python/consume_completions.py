#!/usr/bin/env python3
"""Prints a tenant's completions as `request_id<TAB>text` lines, the text escaped as in a JSON string.

Usage: consume_completions.py BOOTSTRAP TOPIC TENANT HISTORY_DIR [--exit-at-end] [--registry URL]
HISTORY_DIR holds the published Completion schemas (schemas/src/main/history/Completion): a record is read with
the version its header names, so this keeps working when Sluice writes a newer one. --exit-at-end stops once every
partition is read to its end, instead of following new completions. --registry reads completions in a schema
registry's framing (kafka.output-format: registry) with the schema their id names; REGISTRY_USER_INFO in the
environment, user:password, for basic authentication.
"""
import glob
import io
import json
import os
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka import Consumer, KafkaError

from single_object import MARKER, decode, fingerprint

if len(sys.argv) < 5:
    sys.exit(__doc__)
bootstrap, topic, tenant, history_dir, *flags = sys.argv[1:]
exit_at_end = "--exit-at-end" in flags
registry = None
if "--registry" in flags:
    from confluent_kafka.schema_registry import SchemaRegistryClient

    registry_config = {"url": flags[flags.index("--registry") + 1]}
    if os.environ.get("REGISTRY_USER_INFO"):
        registry_config["basic.auth.user.info"] = os.environ["REGISTRY_USER_INFO"]
    registry = SchemaRegistryClient(registry_config)  # caches each id's schema


def decode_framed(value):
    """A record in the registry's framing: magic byte 0, the schema id (4 bytes big-endian), the Avro record."""
    _, schema_id = struct.unpack(">bI", value[:5])
    writer = avro.schema.parse(registry.get_schema(schema_id).schema_str)
    return avro.io.DatumReader(writer).read(avro.io.BinaryDecoder(io.BytesIO(value[5:])))


schemas = {}
for path in glob.glob(f"{history_dir}/v*.avsc"):
    with open(path, encoding="utf-8") as f:
        schema = avro.schema.parse(f.read())
    schemas[fingerprint(schema)] = schema

consumer = Consumer({
    "bootstrap.servers": bootstrap,
    # A group remembers how far it has read: started again, it goes on from there.
    "group.id": f"{tenant}.completions-guide",
    "auto.offset.reset": "earliest",
    # Sluice writes in Kafka transactions: read_committed sees each completion exactly once, never one from a
    # transaction that was aborted (and replayed) after a failure.
    "isolation.level": "read_committed",
    "enable.partition.eof": True,
})
assigned, at_end = set(), set()
consumer.subscribe([topic], on_assign=lambda c, ps: assigned.update((p.topic, p.partition) for p in ps))
try:
    while not (exit_at_end and assigned and at_end >= assigned):
        message = consumer.poll(1.0)
        if message is None:
            continue
        if message.error():
            if message.error().code() != KafkaError._PARTITION_EOF:
                raise SystemExit(message.error())
            at_end.add((message.topic(), message.partition()))
            continue
        at_end.discard((message.topic(), message.partition()))
        # The key is tenant/request_id; other tenants' completions share the topic (kafka.tenancy: record).
        if not (message.key() or b"").decode("utf-8").startswith(tenant + "/"):
            continue
        value = message.value()
        # Avro single-object by default; JSON with the same field names with kafka.output-format: json.
        if value[:1] == b"\x00" and registry is not None:
            completion = decode_framed(value)
        else:
            completion = decode(schemas, value) if value[:2] == MARKER else json.loads(value)
        # Escaped as in a JSON string (without the quotes), so a text with a newline or tab stays on its line.
        text = json.dumps(completion["text"], ensure_ascii=False)[1:-1]
        print(f"{completion['request_id']}\t{text}", flush=True)
finally:
    consumer.close()
