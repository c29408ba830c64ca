"""Quality inspection (质检) of agent and bot service: the QA rules language and engine
(``rules``, ``expr``, ``engine``), commitments, hand-off to a person, and the scorecard
aggregation the QA report reads (``scorecard``). docs/qa.md describes it."""
