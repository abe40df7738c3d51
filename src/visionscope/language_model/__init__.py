"""The local language model that writes answers: its packaged files and its runtime."""

from .files import LANGUAGE_MODELS, LanguageModelSpec, language_model_file
from .runtime import LocalModel, ModelUnavailable

__all__ = ["LANGUAGE_MODELS", "LanguageModelSpec", "LocalModel", "ModelUnavailable", "language_model_file"]
