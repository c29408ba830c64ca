"""One exception tree for voc. Every error carries an exit code and a one-sentence message
that says what to do; the CLI prints the message and exits with the code."""


class VocError(Exception):
    """Base class of every error voc raises on purpose."""

    exit_code = 1


class InputError(VocError):
    """The input cannot be read as contacts (missing file, undecodable, missing column...)."""

    exit_code = 2


class ConfigError(VocError):
    """A setting, option or rules file is invalid."""

    exit_code = 3


class ModelError(VocError):
    """A model artefact is missing, tampered with, or incompatible."""

    exit_code = 4


class OutputError(VocError):
    """The output cannot be written (not writable, disk full, locked by another run)."""

    exit_code = 5


class StageError(VocError):
    """A stage failed. On one contact (``contact_id`` set) the contact goes to the errors file
    with ``stage: reason`` and the run goes on; a stage that breaks the stage contract (e.g.
    returns a record too few) fails the run."""

    exit_code = 6

    def __init__(self, stage: str, reason: str, contact_id: str | None = None):
        self.stage, self.reason, self.contact_id = stage, reason, contact_id
        super().__init__(f"{stage}: {reason}")

    def __reduce__(self):  # travels from worker processes inside tagged records
        return (type(self), (self.stage, self.reason, self.contact_id))
