#!/usr/bin/env bash
# Fuzz the whole HTTP API from its OpenAPI document with schemathesis: a fresh VisionScope on a
# loopback port (SQLite, embedded runtime), a signed-in owner and an admin API key, real ids of
# every kind of resource. EXAMPLES per operation and identity (default 16: over 2,000 requests).
# Fails on any 5xx or any response outside its declared schema, and lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m tests.fuzz.runner "${1:-16}"
