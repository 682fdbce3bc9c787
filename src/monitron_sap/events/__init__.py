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

__all__ = [
    "ClosureCode",
    "Features",
    "ModelOutput",
    "MonitronEvent",
    "ReadResult",
    "RecordError",
    "SourceRef",
    "VibrationBand",
]
