"""The team's answer evaluation set: generated videos, question files and a runner over the HTTP API."""
