"""``azureml.train`` estimators: :mod:`.estimator` (Estimator), :mod:`.sklearn` (SKLearn), :mod:`.dnn` (TensorFlow, PyTorch).

An estimator is a :class:`hdnotebook.ScriptRunConfig` built from Azure's estimator arguments, so it is
submitted (``Experiment.submit(est)``) and tuned (``HyperDriveConfig(estimator=est, ...)``) as one.
"""
