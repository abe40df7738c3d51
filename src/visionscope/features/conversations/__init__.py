"""Conversations with videos and projects: grounded answers with timestamps, and project search."""
