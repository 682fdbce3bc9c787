"""Reading Monitron exports: framing, v1/v2 schemas and the normalized event model."""

from monitron_sap.events.model import (
    ClosureCode,
    Features,
    ModelOutput,
    MonitronEvent,
    ReadResult,
    RecordError,
    SourceRef,
    VibrationBand,
)
from monitron_sap.events.reader import (
    check_nested,
    event_to_json,
    read_bytes,
    read_paths,
    read_stream,
)

__all__ = [
    "ClosureCode",
    "Features",
    "ModelOutput",
    "MonitronEvent",
    "ReadResult",
    "RecordError",
    "SourceRef",
    "VibrationBand",
    "check_nested",
    "event_to_json",
    "read_bytes",
    "read_paths",
    "read_stream",
]
