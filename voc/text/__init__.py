"""Text processing: normalise, redact, segment."""
