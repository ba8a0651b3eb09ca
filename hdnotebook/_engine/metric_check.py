"""The warning for a primary metric that no child run logs (a misspelt ``primary_metric_name``)."""

from __future__ import annotations

from collections.abc import Sequence

#: The sweep property holding the warning text (set once, by the tuning loop).
PRIMARY_METRIC_WARNING = "primary_metric_warning"


def primary_metric_warning(metric: str, logged: Sequence[str]) -> str:
    """The text shown in the sweep log, the widget header and the notebook: names the metric the sweep
    waits for and the metrics the children did log. It stays true if a later child logs the metric
    (the notebook's UserWarning and the header then leave it out)."""
    names = ", ".join(f"'{n}'" for n in logged)
    return (f"A child run completed without logging the primary metric '{metric}' and no child has logged it so far; "
            f"the children logged {names}. "
            f"Check primary_metric_name: without it there is no best run and the policy cannot stop runs.")
