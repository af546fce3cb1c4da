#!/usr/bin/env python3
"""Sends one Avro (single-object encoding) chat prompt per request id to Sluice's prompts topic.

Usage: produce_avro.py BOOTSTRAP TOPIC TENANT SCHEMA_FILE REQUEST_ID...
SCHEMA_FILE is any published PromptRequest version, e.g. schemas/src/main/history/PromptRequest/v2.avsc: the
header names the version written, and Sluice resolves it to its current schema.
Needs python3-confluent-kafka and python3-avro (Debian) or `pip install confluent-kafka avro`.
"""
import sys

import avro.schema
from confluent_kafka import Producer

from single_object import encode, fingerprint

if len(sys.argv) < 6:
    sys.exit(__doc__)
bootstrap, topic, tenant, schema_file, *request_ids = sys.argv[1:]
with open(schema_file, encoding="utf-8") as f:
    schema = avro.schema.parse(f.read())

producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
failed = []


def on_delivery(error, message):
    if error is not None:
        failed.append((message.key(), error))


for request_id in request_ids:
    # python3-avro's writer does not fill in defaults: start from every field's default, then set ours.
    request = {field.name: field.default for field in schema.fields if field.has_default}
    request.update(request_id=request_id, tenant=tenant, task="CHAT", prompt="Say thank you in Japanese.")
    producer.produce(topic, key=f"{tenant}/{request_id}", value=encode(schema, request), on_delivery=on_delivery)
    producer.poll(0)

if producer.flush(30) or failed:
    sys.exit(f"not delivered: {failed or 'flush timed out'}")
print(f"sent {len(request_ids)} Avro prompts to {topic}, schema fingerprint {fingerprint(schema):016x}")
