"""The built-in stages, registered by name with what they read and write.

Each stage is a callable over a batch of ``voc.Tagged`` with ``name``, ``requires`` and
``assigns`` (``voc.registry.Stage``); its factory builds it from ``voc.Settings``. The
factories import their modules when called, so the registry can list every stage without
loading a model. To add a stage, write its module here and register its factory the same way
(docs/architecture.md, "To add a stage").
"""
from __future__ import annotations

from ..registry import factory, preprocessor
from ..settings import Settings


@factory("normalise", requires=("contact",), assigns=("turns", "text", "emoji"), reads=("system_lines",))
def make_normalise(settings: Settings):
    from .text import Normalise

    return Normalise(system_lines=settings.system_lines)


@factory("redact", requires=("contact", "turns", "text"), assigns=("contact", "turns", "text"),
         reads=("pseudonymise_key", "person_names"))
def make_redact(settings: Settings):
    from .text import Redact

    return Redact(pseudonymise_key=settings.pseudonymise_key, names=settings.person_names)


@factory("segment", requires=("turns",), assigns=("tokens", "turn_tokens"), reads=("segmenter",))
def make_segment(settings: Settings):
    from ..text.segment import default_backend, default_segmenter
    from .text import Segment

    return Segment(default_segmenter(settings.segmenter or default_backend()))


@factory("contact_type", requires=("turns", "text", "tokens"), assigns=("contact_type",),
         reads=("contact_type_model",))
def make_contact_type(settings: Settings):
    """Complaint / inquiry / request / praise / suggestion / other (taxonomy section 7)."""
    from .contact_type import default_stage

    return default_stage(settings.contact_type_model)


@factory("root_cause", requires=("turns", "text", "tokens"), assigns=("root_cause",), reads=("root_cause_model",))
def make_root_cause(settings: Settings):
    """The shipped model (or ``root_cause_model``); the cue baseline when no model ships."""
    from .root_cause import default_stage

    return default_stage(settings.root_cause_model)


@factory("sentiment", requires=("contact", "turns", "text", "emoji"), assigns=("sentiment",),
         reads=("sentiment_backend", "sentiment_model"))
def make_sentiment(settings: Settings):
    from .sentiment import default_stage

    return default_stage(settings.sentiment_backend, settings.sentiment_model)


@factory("resolved", requires=("contact", "turns", "text"), assigns=("resolved",), reads=("resolved_model",))
def make_resolved(settings: Settings):
    """Yes / no / unclear and the probability of yes (taxonomy section 8)."""
    from .resolved import default_stage

    return default_stage(settings.resolved_model)


@factory("churn", requires=("text", "sentiment", "root_cause", "metadata"), assigns=("churn",),
         reads=("churn_model", "churn_cues", "reasons_language"))
def make_churn(settings: Settings):
    from .churn import Churn

    return Churn(cues=settings.churn_cues, model=settings.churn_model, language=settings.reasons_language)


# escalation rules name what they read; the stage requires only what its rules use
@factory("escalation", requires=("turns", "text", "root_cause", "sentiment", "churn", "metadata"),
         assigns=("escalation",), reads=("rules",))
def make_escalation(settings: Settings):
    from .escalation import Escalation

    return Escalation(settings.rules)


@factory("topics", requires=("tokens",), assigns=("topics", "topic_label"), reads=("topics",))
def make_topics(settings: Settings):
    """The ``topics`` model folder, else the shipped model, else a stage that finds none."""
    from ..models import find
    from .topics import NoTopics, Topics

    folder = settings.topics or find("topics")
    return Topics(folder) if folder else NoTopics()


@preprocessor("repeat_contacts", when=("churn", "escalation"))
def make_repeat_contacts(settings: Settings):
    """How many earlier contacts of the same customer fall within ``repeat_window``."""
    from .repeat import RepeatContacts

    window = RepeatContacts(settings.repeat_window)
    return window if window.window is not None else None


@preprocessor("templates", when=("normalise",))
def make_templates(settings: Settings):
    """Lines repeated verbatim in ``template_repeats`` contacts of one input become system
    lines from that occurrence on (0: off)."""
    from .templates import Templates

    return Templates(settings.template_repeats) if settings.template_repeats else None


@factory("qa", requires=("contact", "turns", "metadata"), assigns=("qa", "contact"),
         reads=("qa_rules", "agent_col", "team_col", "redact", "pseudonymise_key"))
def make_qa(settings: Settings):
    """Quality inspection (``--qa``): scorecard hits and score, commitments, hand-off (docs/qa.md)."""
    from .qa import Qa

    return Qa(settings.qa_rules, settings.agent_col, settings.team_col, settings.redact, settings.pseudonymise_key)


@factory("agent_conduct", requires=("turns", "qa"), assigns=("agent_conduct",), reads=("agent_conduct_model",))
def make_agent_conduct(settings: Settings):
    """ok / problem / na (taxonomy section 9), the shipped model (``--qa``)."""
    from .qa import default_conduct_stage

    return default_conduct_stage(settings.agent_conduct_model)
