"""Mechanisms shared by every feature: messages, mediator, unit of work, outbox, inbox."""
