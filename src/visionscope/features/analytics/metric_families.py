"""The analytics tables as Prometheus metric families, read at scrape time.

Labels carry workspace ids, feature keys, stages and outcomes: never a name or an email.
"""

from __future__ import annotations

from collections import defaultdict

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.features.analytics.handlers import ANALYSIS_BUCKETS, le_label
from visionscope.features.analytics.models import (
    WHOLE_ANALYSIS,
    AnalysisSeconds,
    CreditConsumption,
    VideosProcessed,
)

Buckets = list[tuple[str, float]]


async def business_figures(session: AsyncSession) -> list[Metric]:
    """Credits consumed and their value, videos processed, and analysis time (whole and per stage)."""
    return [*await _credits(session), await _videos(session), *await _analysis_times(session)]


async def _credits(session: AsyncSession) -> list[Metric]:
    credits = CounterMetricFamily(
        "visionscope_credits_consumed",
        "Credits captured, by workspace and feature",
        labels=["workspace", "feature"],
    )
    value = CounterMetricFamily(
        "visionscope_credits_value_cents",
        "Value of the credits captured, in cents at the tier's monthly price per credit",
        labels=["workspace", "feature"],
    )
    rows = await session.execute(
        select(
            CreditConsumption.workspace,
            CreditConsumption.feature,
            func.sum(CreditConsumption.credits),
            func.sum(CreditConsumption.value_cents),
        )
        .group_by(CreditConsumption.workspace, CreditConsumption.feature)
        .order_by(CreditConsumption.workspace, CreditConsumption.feature)
    )
    for workspace, feature, total, cents in rows:
        credits.add_metric([workspace, feature], float(total or 0))
        value.add_metric([workspace, feature], float(cents or 0.0))
    return [credits, value]


async def _videos(session: AsyncSession) -> Metric:
    videos = CounterMetricFamily(
        "visionscope_videos_processed",
        "Video analyses that ended, by workspace and outcome (analysed, failed)",
        labels=["workspace", "outcome"],
    )
    rows = await session.execute(
        select(VideosProcessed.workspace, VideosProcessed.outcome, func.sum(VideosProcessed.videos))
        .group_by(VideosProcessed.workspace, VideosProcessed.outcome)
        .order_by(VideosProcessed.workspace, VideosProcessed.outcome)
    )
    for workspace, outcome, total in rows:
        videos.add_metric([workspace, outcome], float(total or 0))
    return videos


def cumulative(counts: dict[float, int]) -> Buckets:
    """Per-bucket counts (keyed by upper bound) as Prometheus's cumulative ``le`` buckets."""
    return [
        (le_label(bound), float(sum(n for le, n in counts.items() if le <= bound)))
        for bound in ANALYSIS_BUCKETS
    ]


async def _analysis_times(session: AsyncSession) -> list[Metric]:
    whole = HistogramMetricFamily(
        "visionscope_video_analysis_seconds", "Time a video's whole analysis took", labels=[]
    )
    stages = HistogramMetricFamily(
        "visionscope_video_analysis_stage_seconds", "Time each stage of an analysis took", labels=["stage"]
    )
    rows = await session.execute(
        select(
            AnalysisSeconds.stage,
            AnalysisSeconds.le,
            func.sum(AnalysisSeconds.count),
            func.sum(AnalysisSeconds.seconds),
        ).group_by(AnalysisSeconds.stage, AnalysisSeconds.le)
    )
    counts: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    sums: dict[str, float] = defaultdict(float)
    for stage, le, count, seconds in rows:
        counts[stage][float(le)] += int(count or 0)
        sums[stage] += float(seconds or 0.0)
    whole.add_metric([], cumulative(counts.get(WHOLE_ANALYSIS, {})), sums.get(WHOLE_ANALYSIS, 0.0))
    for stage in sorted(counts.keys() - {WHOLE_ANALYSIS}):
        stages.add_metric([stage], cumulative(counts[stage]), sums[stage])
    return [whole, stages]
