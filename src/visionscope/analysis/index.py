"""A video's search index: documents (what is said, shown as text, seen in each scene) with
embeddings and a BM25 lexical index, searched by reciprocal rank fusion of the two."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .embed import DIMENSIONS, F32, MODEL_ID, Embedder
from .results import ScanResult, Scene, TextResult, Transcript

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
    }
)
#: Reciprocal rank fusion constant (the usual 60).
RRF_K = 60


@dataclass(frozen=True, slots=True)
class Document:
    """A searchable piece of the video. `source`: `transcript`, `text` (on screen) or `scene`."""

    id: int
    source: str
    start: float
    end: float
    text: str
    scene: int | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    document: Document
    score: float
    """Fused score (higher is better); compare within one search only."""
    similarity: float
    """Cosine similarity of query and document embeddings (-1..1); usable as an absolute threshold."""
    lexical: float
    """BM25 score (0 when no query word occurs in the document)."""


def tokenize(text: str) -> list[str]:
    """Lower-case words without stop words, with a light plural folding."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in _STOP:
            continue
        if len(tok) > 4 and tok.endswith("ies"):
            tok = tok[:-3] + "y"
        elif len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


class BM25:
    """Okapi BM25 over tokenised documents."""

    def __init__(self, docs: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tfs = [Counter(tokenize(d)) for d in docs]
        self.lengths = [sum(tf.values()) for tf in self.tfs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df: Counter[str] = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> list[float]:
        terms = tokenize(query)
        out = []
        for tf, length in zip(self.tfs, self.lengths, strict=True):
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / self.avg) if self.avg else self.k1
            for t in terms:
                f = tf.get(t, 0)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + norm)
            out.append(s)
        return out


def _fmt_time(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def _describe(scene: Scene) -> str:
    """Colours, light and motion of a scene in words."""
    colours = list(scene.colors)
    if not colours:
        look = "colours unknown"
    elif colours[0].share >= 0.6:
        look = f"dominant colour {colours[0].name}"
    else:
        look = "colours " + ", ".join(c.name for c in colours)
    others = [c.name for c in colours[1:]] if colours and colours[0].share >= 0.6 else []
    if others:
        look += f", with some {' and '.join(others)}"
    light = "dark" if scene.brightness < 0.3 else "bright" if scene.brightness > 0.7 else "medium brightness"
    motion = "still" if scene.motion < 0.05 else "a lot of motion" if scene.motion > 0.4 else "some motion"
    return f"{look}; {light}; {motion}."


def build_documents(
    scan: ScanResult | None, text: TextResult | None, transcript: Transcript | None
) -> list[Document]:
    """Documents of a video: transcript segments, on-screen text spans, one description per scene."""
    docs: list[Document] = []

    def add(source: str, start: float, end: float, body: str, scene: int | None) -> None:
        if body.strip():
            docs.append(Document(len(docs), source, round(start, 3), round(end, 3), body.strip(), scene))

    scenes = scan.scenes if scan else ()

    def scene_at(t: float) -> int | None:
        for s in scenes:
            if s.start <= t < s.end:
                return s.index
        return scenes[-1].index if scenes else None

    for seg in transcript.segments if transcript else ():
        add("transcript", seg.start, seg.end, seg.text, scene_at((seg.start + seg.end) / 2))
    for span in text.spans if text else ():
        add("text", span.start, span.end, span.text, span.scene)
    for s in scenes:
        desc = f"Scene {s.index + 1} from {_fmt_time(s.start)} to {_fmt_time(s.end)}: " + _describe(s)
        shown = "; ".join(sp.text for sp in (text.spans if text else ()) if sp.scene == s.index)
        if shown:
            desc += f" Text on screen: {shown}."
        add("scene", s.start, s.end, desc, s.index)
    return docs


class VideoIndex:
    """Documents with their embeddings and a BM25 index; `search` ranks them for a query."""

    def __init__(self, documents: Sequence[Document], vectors: F32, embedder: Embedder | None = None) -> None:
        if len(documents) != vectors.shape[0]:
            raise ValueError("one vector per document is needed")
        self.documents = list(documents)
        self.vectors = vectors
        self.embedder = embedder
        self.bm25 = BM25([d.text for d in documents])

    @classmethod
    def build(cls, documents: Sequence[Document], embedder: Embedder) -> VideoIndex:
        """Embed each distinct text once."""
        unique = sorted({d.text for d in documents})
        table = dict(zip(unique, embedder.embed(unique), strict=True))
        vectors = (
            np.stack([table[d.text] for d in documents])
            if documents
            else np.zeros((0, DIMENSIONS), np.float32)
        )
        return cls(documents, vectors.astype(np.float32), embedder)

    def save(self, directory: str | Path) -> None:
        """Write vectors.npy and documents.json into `directory`, replacing it atomically."""
        target = Path(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        np.save(tmp / "vectors.npy", self.vectors)
        meta = {"model": MODEL_ID, "dimensions": DIMENSIONS, "documents": [asdict(d) for d in self.documents]}
        (tmp / "documents.json").write_text(json.dumps(meta, ensure_ascii=False))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)

    @classmethod
    def load(cls, directory: str | Path, embedder: Embedder | None = None) -> VideoIndex:
        src = Path(directory)
        meta: dict[str, Any] = json.loads((src / "documents.json").read_text())
        if meta.get("model") != MODEL_ID:
            raise ValueError(f"index built with {meta.get('model')}, not {MODEL_ID}: rebuild it")
        docs = [Document(**d) for d in meta["documents"]]
        vectors = np.load(src / "vectors.npy", allow_pickle=False).astype(np.float32)
        return cls(docs, vectors, embedder)

    def search(
        self,
        query: str,
        k: int = 5,
        time_range: tuple[float, float] | None = None,
        sources: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The `k` best documents for `query`, optionally only those overlapping `time_range`
        (seconds) and of the given sources. Ranks by reciprocal rank fusion of embedding
        similarity and BM25 (a document only one of them finds still ranks)."""
        allowed = [
            i
            for i, d in enumerate(self.documents)
            if (time_range is None or (d.start < time_range[1] and d.end > time_range[0]))
            and (sources is None or d.source in sources)
        ]
        if not allowed or not query.strip():
            return []
        if self.embedder is not None:
            q = self.embedder.embed([query])[0]
            sims = self.vectors[allowed] @ q
        else:
            sims = np.zeros(len(allowed), dtype=np.float32)
        lexical_all = self.bm25.scores(query)
        lex = np.array([lexical_all[i] for i in allowed], dtype=np.float64)
        fused = np.zeros(len(allowed), dtype=np.float64)
        if self.embedder is not None:
            for rank, j in enumerate(np.argsort(-sims, kind="stable")):
                fused[j] += 1.0 / (RRF_K + rank + 1)
        for rank, j in enumerate(np.argsort(-lex, kind="stable")):
            if lex[j] > 0:
                fused[j] += 1.0 / (RRF_K + rank + 1)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(
                self.documents[allowed[j]],
                round(float(fused[j]), 6),
                round(float(sims[j]), 4),
                round(float(lex[j]), 4),
            )
            for j in order
            if fused[j] > 0
        ]
