"""Prometheus metrics, in a registry of their own per application (nothing global)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "visionscope_http_requests", "HTTP requests served", ["method", "route", "status"], registry=r
        )
        self.http_latency = Histogram(
            "visionscope_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.handler_latency = Histogram(
            "visionscope_handler_seconds",
            "Command and query handler latency",
            ["message", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.events_handled = Counter(
            "visionscope_events_handled",
            "Events handled by consumers",
            ["queue", "consumer", "outcome"],
            registry=r,
        )
        self.events_relayed = Counter(
            "visionscope_events_relayed", "Outbox events published to the broker", ["queue"], registry=r
        )
        self.outbox_pending = Gauge("visionscope_outbox_pending", "Outbox events not yet relayed", registry=r)
        self.outbox_lag = Gauge(
            "visionscope_outbox_lag_seconds", "Age of the oldest event not yet relayed", registry=r
        )
        self.dead_messages = Gauge(
            "visionscope_dead_messages", "Events parked after repeated handler failure", registry=r
        )
        self.dead_messages_by_queue = Gauge(
            "visionscope_queue_dead_messages",
            "Events parked and not replayed, by queue",
            ["queue"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "visionscope_queue_depth", "Deliveries waiting in each queue of the broker", ["queue"], registry=r
        )
        self.cache_hits = Counter(
            "visionscope_cache_hits", "Query results answered from the cache", ["query"], registry=r
        )
        self.cache_misses = Counter(
            "visionscope_cache_misses", "Cached queries that read the database", ["query"], registry=r
        )
        self.cache_errors = Counter(
            "visionscope_cache_errors",
            "Cache reads, writes or invalidations that failed",
            ["operation"],
            registry=r,
        )
        self.figures = Figures()
        r.register(self.figures)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class Figures(Collector):
    """Figures read from the database at scrape time (business figures), exported as they were read."""

    def __init__(self) -> None:
        self._families: list[Metric] = []

    def replace(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterator[Metric]:
        return iter(list(self._families))

    def describe(self) -> Iterator[Metric]:
        return iter(())  # the families change with the data: nothing to check for clashes
