"""Pure estimators on prepared inputs (scikit-learn style): no Tagged, no stage code."""
