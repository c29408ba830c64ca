"""Training apart from tagging: label reading, weak supervision, train / evaluate / label, the
shipped model builds and their model cards. Nothing here runs when contacts are tagged; the
stages in ``voc.stages`` only load what these modules write."""
