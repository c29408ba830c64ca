"""Pure estimators on prepared inputs, scikit-learn style where they are fitted here: no Tagged, no
stage code, no label files (training lives in ``voc.training``)."""
