"""The search index: embeddings, BM25, hybrid ranking, time filters, saving and loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from analysis_support import Media

from visionscope.analysis import (
    AnalysisResult,
    Document,
    ModelPaths,
    VideoIndex,
    load_embedder,
)
from visionscope.analysis.index import BM25, tokenize


def _index(work: Path, models: ModelPaths) -> VideoIndex:
    assert models.embedder is not None
    return VideoIndex.load(
        work / "index", load_embedder(str(models.embedder.onnx), str(models.embedder.tokenizer))
    )


def test_denver_warehouse_is_found_in_its_scene(
    briefing: Media, briefing_run: tuple[Path, AnalysisResult], analysis_models: ModelPaths
) -> None:
    work, result = briefing_run
    assert result.index_dir == "index"
    index = _index(work, analysis_models)
    scene = briefing.truth["scenes"][2]
    hits = index.search("Denver warehouse", k=3)
    assert hits
    for hit in hits[:2]:
        assert scene["start"] - 0.5 <= hit.document.start and hit.document.end <= scene["end"] + 0.5
    assert {h.document.source for h in hits[:2]} == {"text", "transcript"}


def test_a_paraphrase_is_found_by_meaning(
    briefing: Media, briefing_run: tuple[Path, AnalysisResult], analysis_models: ModelPaths
) -> None:
    work, _ = briefing_run
    hit = _index(work, analysis_models).search("protective eyewear in the lab", k=1)[0]
    scene = briefing.truth["scenes"][3]  # Laboratory Safety
    assert scene["start"] - 0.5 <= hit.document.start < scene["end"]
    assert hit.similarity > 0.3


def test_time_range_and_source_filters(
    briefing_run: tuple[Path, AnalysisResult], analysis_models: ModelPaths
) -> None:
    work, _ = briefing_run
    index = _index(work, analysis_models)
    hits = index.search("Denver warehouse", k=5, time_range=(30.0, 60.0))
    assert hits and all(h.document.end > 30.0 for h in hits)
    assert all("denver" not in h.document.text.lower() for h in hits)
    scenes = index.search("blue", k=3, sources=["scene"])
    assert scenes and all(h.document.source == "scene" for h in scenes)
    assert {0, 7} <= {h.document.scene for h in scenes}  # the two mostly blue scenes
    first = index.search("blue", k=1, sources=["scene"], time_range=(0.0, 7.0))
    assert first[0].document.scene == 0
    assert index.search("   ", k=3) == []


def test_unrelated_questions_score_low(
    briefing_run: tuple[Path, AnalysisResult], analysis_models: ModelPaths
) -> None:
    work, _ = briefing_run
    index = _index(work, analysis_models)
    volcano = index.search("Does anyone mention a volcano?", k=1)[0]
    denver = index.search("When is the Denver warehouse mentioned?", k=1)[0]
    assert volcano.lexical == 0.0
    assert volcano.similarity < 0.3 < denver.similarity


def test_save_and_load_round_trip(analysis_models: ModelPaths, tmp_path: Path) -> None:
    assert analysis_models.embedder is not None
    embedder = load_embedder(str(analysis_models.embedder.onnx), str(analysis_models.embedder.tokenizer))
    docs = [
        Document(0, "transcript", 0.0, 2.0, "The red truck is parked next to the main entrance.", 0),
        Document(1, "text", 2.0, 4.0, "Parking Lot Camera 7", 1),
        Document(2, "text", 4.0, 6.0, "Parking Lot Camera 7", 2),
    ]
    index = VideoIndex.build(docs, embedder)
    norms = np.linalg.norm(index.vectors, axis=1)
    assert index.vectors.shape == (3, 384) and np.allclose(norms, 1.0, atol=1e-5)
    assert np.array_equal(index.vectors[1], index.vectors[2])  # same text, embedded once
    index.save(tmp_path / "idx")
    index.save(tmp_path / "idx")  # replacing works
    loaded = VideoIndex.load(tmp_path / "idx", embedder)
    assert loaded.documents == docs
    assert np.array_equal(loaded.vectors, index.vectors)
    assert loaded.search("where is the truck", k=1)[0].document.id == 0


def test_bm25_prefers_rare_matching_words() -> None:
    bm25 = BM25(["the red truck", "a red car and a red bus", "safety glasses"])
    scores = bm25.scores("red truck")
    assert scores[0] > scores[1] > scores[2] == 0.0
    assert tokenize("The Trucks and batteries") == ["truck", "battery"]
