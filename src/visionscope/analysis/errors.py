"""Errors of the analysis pipeline, each carrying a sentence a user understands."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class of the errors the analysis raises on purpose."""


class MediaRejected(AnalysisError):
    """The file is not a video the pipeline can analyse; `reason` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelMissing(AnalysisError):
    """A model or tool is not installed, or its files do not match the pinned hash."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"{what}. {hint}")
        self.what = what
        self.hint = hint
