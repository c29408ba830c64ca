"""Readers and writers: streaming, never loading a whole file."""
from .readers import RowError, read_contacts  # noqa: F401
