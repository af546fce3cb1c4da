#!/bin/sh
# Sends one JSON chat prompt per request id to Sluice's prompts topic with kcat (Debian: apt-get install kcat).
# Usage: produce_json.sh BOOTSTRAP TOPIC TENANT REQUEST_ID...
set -eu
[ $# -ge 4 ] || { echo "usage: $0 BOOTSTRAP TOPIC TENANT REQUEST_ID..." >&2; exit 2; }
bootstrap=$1 topic=$2 tenant=$3
shift 3
for id in "$tenant" "$@"; do
  # printf does not escape JSON: allow only characters that need no escaping in a JSON string.
  case $id in *[!A-Za-z0-9._:-]*) echo "not a plain id: $id" >&2; exit 2 ;; esac
done
for id in "$@"; do
  # One record per line: KEY<TAB>VALUE (-K '\t'). Sluice ignores the key; tenant/request_id spreads the prompts
  # over partitions, as the outputs are keyed.
  printf '%s/%s\t{"request_id": "%s", "tenant": "%s", "task": "chat", ' "$tenant" "$id" "$id" "$tenant"
  printf '"prompt": "Say thank you in Japanese.", "params": {"max_tokens": 32}}\n'
done |
  # Idempotent producing: a retried send is written once. kcat waits for every acknowledgement before it exits.
  kcat -P -b "$bootstrap" -t "$topic" -K '\t' -X enable.idempotence=true
echo "sent $# JSON prompts to $topic"
