"""Pipeline stages. Each is a callable over a batch of ``voc.Tagged`` with ``name``,
``requires`` and ``assigns`` (see ``voc.pipeline``)."""
