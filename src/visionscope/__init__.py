"""VisionScope: a self-hosted platform for talking with videos."""

__version__ = "0.1.0"
