"""The batch job behind ``voc tag`` (``job.py``: ``tag_files``, the chunk results and the run
summary) and what a run keeps beside its output (``state.py``: the lock, the checkpoint, the
resume fingerprint, the duplicate-id count, the output-is-not-an-input check)."""
from __future__ import annotations

from .job import ChunkOutput, ChunkResult, Progress, RunSummary, tag_files
from .state import (Checkpoint, DuplicateIds, RunLock, check_paths, errors_path, fingerprint, process_start,
                    read_pseudonymise_key, settings_files, summary_path)

__all__ = ["Checkpoint", "ChunkOutput", "ChunkResult", "DuplicateIds", "Progress", "RunLock", "RunSummary",
           "check_paths", "errors_path", "fingerprint", "process_start", "read_pseudonymise_key",
           "settings_files", "summary_path", "tag_files"]
