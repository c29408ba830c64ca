"""Reports built from the results store (never by re-tagging):

* ``monthly(store, month) -> Report``: the monthly complaint-analysis report, ``.to_html()``
  (one self-contained page: inline CSS, inline SVG charts, no requests) and ``.to_xlsx(path)``.
* ``escalation(store, month, out_dir) -> EscalationFiles``: one report per upstream owner and
  the flagged contacts as CSV/XLSX for ticketing systems.

``store`` is a ``voc.store.Store`` or the path of one. The HTML needs jinja2 (``voc-cx[report]``).
"""
from .escalation import EscalationFiles, EscalationReport, escalation
from .monthly import Report, monthly, write_monthly

__all__ = ["monthly", "write_monthly", "Report", "escalation", "EscalationReport", "EscalationFiles"]
