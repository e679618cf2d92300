from __future__ import annotations

from pathlib import Path

import pytest

from connectors.sources.intake import Intake
from tests.unit.sources.recording import RecordingProducer, recording_intake


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Intake, RecordingProducer]:
    return recording_intake(tmp_path / "blobs")
