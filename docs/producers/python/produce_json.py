#!/usr/bin/env python3
"""Sends one JSON chat prompt per request id to Sluice's prompts topic.

Usage: produce_json.py BOOTSTRAP TOPIC TENANT REQUEST_ID...
Needs python3-confluent-kafka (Debian) or `pip install confluent-kafka`.
"""
import json
import sys

from confluent_kafka import Producer

if len(sys.argv) < 5:
    sys.exit(__doc__)
bootstrap, topic, tenant, *request_ids = sys.argv[1:]

# Idempotent: a send the client retries after a lost acknowledgement is written once. Sluice would drop a
# second copy anyway (DUPLICATE_REQUEST), but as a reject the tenant has to look at.
producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
failed = []


def on_delivery(error, message):
    if error is not None:
        failed.append((message.key(), error))


for request_id in request_ids:
    # The schema's field names; absent fields take their defaults, enum values match case-insensitively.
    request = {"request_id": request_id, "tenant": tenant, "task": "chat",
               "prompt": "Say thank you in Japanese.", "params": {"max_tokens": 32}}
    # Sluice ignores the key; tenant/request_id spreads requests over partitions, as the outputs are keyed.
    producer.produce(topic, key=f"{tenant}/{request_id}", value=json.dumps(request).encode("utf-8"),
                     on_delivery=on_delivery)
    producer.poll(0)  # serves delivery callbacks as we go

# flush() returns how many are still undelivered: the prompts are only sent once the broker acknowledged them.
if producer.flush(30) or failed:
    sys.exit(f"not delivered: {failed or 'flush timed out'}")
print(f"sent {len(request_ids)} JSON prompts to {topic}")
