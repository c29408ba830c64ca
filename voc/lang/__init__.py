"""The shared language toolkit: cue matching (``cues``), negation (``negation``), the
metadata readers for customer tier, repeat contacts and time (``metadata``), the owner
decision (``owners``) and the G² statistic (``stats``). Light: no heavy library is imported."""
