"""Pure estimators, scikit-learn style: settings in the constructor, learned state ending in ``_``."""
