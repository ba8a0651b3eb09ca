"""Results that leave the widget: a sweep as a pandas DataFrame and the importance of its hyperparameters.

Engine-level: every function takes a ``Store`` and ids (no Azure-layer handles); ``HyperDriveRun`` and
``Run`` have thin wrapper methods.
"""
