#!/usr/bin/env python3
"""Sends one Avro chat prompt per request id in a schema registry's framing, as Confluent's serializers write it.

Usage: produce_registry_avro.py BOOTSTRAP TOPIC TENANT REGISTRY_URL SCHEMA_FILE REQUEST_ID...
REGISTRY_URL is the Confluent-compatible API (Apicurio: http://host:8080/apis/ccompat/v7); REGISTRY_USER_INFO in the
environment, user:password, for basic authentication. SCHEMA_FILE is any published PromptRequest version.
Needs python3-confluent-kafka, python3-requests and python3-avro (Debian), or `pip install confluent-kafka avro`.
"""
import io
import os
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

if len(sys.argv) < 7:
    sys.exit(__doc__)
bootstrap, topic, tenant, registry_url, schema_file, *request_ids = sys.argv[1:]
with open(schema_file, encoding="utf-8") as f:
    schema_text = f.read()
schema = avro.schema.parse(schema_text)

registry_config = {"url": registry_url}
if os.environ.get("REGISTRY_USER_INFO"):
    registry_config["basic.auth.user.info"] = os.environ["REGISTRY_USER_INFO"]
# Registered under the topic's subject, as Confluent's default TopicNameStrategy names it; an equal schema keeps its id.
schema_id = SchemaRegistryClient(registry_config).register_schema(f"{topic}-value", Schema(schema_text, "AVRO"))

producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
failed = []


def on_delivery(error, message):
    if error is not None:
        failed.append((message.key(), error))


for request_id in request_ids:
    # python3-avro's writer does not fill in defaults: start from every field's default, then set ours.
    request = {field.name: field.default for field in schema.fields if field.has_default}
    request.update(request_id=request_id, tenant=tenant, task="CHAT", prompt="Say thank you in Japanese.")
    value = io.BytesIO()
    value.write(struct.pack(">bI", 0, schema_id))  # magic byte 0, then the schema id, 4 bytes big-endian
    avro.io.DatumWriter(schema).write(request, avro.io.BinaryEncoder(value))
    producer.produce(topic, key=f"{tenant}/{request_id}", value=value.getvalue(), on_delivery=on_delivery)
    producer.poll(0)

if producer.flush(30) or failed:
    sys.exit(f"not delivered: {failed or 'flush timed out'}")
print(f"sent {len(request_ids)} registry-framed Avro prompts to {topic}, schema id {schema_id}")
