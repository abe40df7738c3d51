from __future__ import annotations

import io
import json
import logging

from visionscope.building_blocks.tracing import RequestIdFilter, current_request_id, request_scope
from visionscope.logs import JsonFormatter


def test_log_lines_carry_the_request_id_in_scope() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("visionscope.test.tracing")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with request_scope("req-7"):
            logger.info("inside", extra={"stage": "scan"})
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["request_id"] == "req-7" and inside["stage"] == "scan" and inside["message"] == "inside"
    assert "request_id" not in outside
    assert current_request_id.get() is None
