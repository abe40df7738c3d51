"""Notifications: in-app notices, email and webhooks, fed by the events of other features."""
