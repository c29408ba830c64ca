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
    """A stage failed on one contact; the contact goes to the errors file with the reason."""

    exit_code = 6
