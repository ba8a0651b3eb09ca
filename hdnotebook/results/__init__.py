"""Results that leave the widget: a sweep as a pandas DataFrame, the importance of its hyperparameters, and the pure
helpers that the dashboard, its static view and ``hdnotebook.plot`` share (``charts``).

Engine-level: every function takes a ``Store`` and ids, or plain data (no Azure-layer handles); ``HyperDriveRun`` and
``Run`` have thin wrapper methods.
"""
