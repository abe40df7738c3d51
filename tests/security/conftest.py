"""The analysed sample video of the end-to-end tests, for attacks that need one."""

from tests.e2e.conftest import short_video

__all__ = ["short_video"]
