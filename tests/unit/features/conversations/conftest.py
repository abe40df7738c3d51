"""The answer engine over analysis results with known content, with the real embedding model."""

from __future__ import annotations

import pytest
from conversation_support import BRIEFING, KITCHEN, TALK, subject

from visionscope.analysis import Embedder
from visionscope.features.conversations.answers.embedder import EmbedderSource
from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.features.conversations.answers.knowledge import KnowledgeCache, Subject


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    found = EmbedderSource(tmp_path_factory.mktemp("models"))()
    assert found is not None, "the embedding model packages are part of the install"
    return found


@pytest.fixture(scope="session")
def engine(embedder: Embedder) -> AnswerEngine:
    return AnswerEngine(KnowledgeCache(lambda: embedder), lambda: embedder)


@pytest.fixture(scope="session")
def briefing(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Subject:
    return subject(tmp_path_factory.mktemp("briefing"), "briefing.mp4", BRIEFING, embedder)


@pytest.fixture(scope="session")
def kitchen(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Subject:
    return subject(tmp_path_factory.mktemp("kitchen"), "kitchen.mp4", KITCHEN, embedder)


@pytest.fixture(scope="session")
def talk(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Subject:
    return subject(tmp_path_factory.mktemp("talk"), "talk.mp4", TALK, embedder)


@pytest.fixture
def lexical_engine() -> AnswerEngine:
    """Without an embedding model: words only."""
    return AnswerEngine(KnowledgeCache(lambda: None), lambda: None)
