"""Hyperparameter sampling, as ``azureml.train.hyperdrive.sampling``."""

from hdnotebook.sampling.base import HyperParameterSampling
from hdnotebook.sampling.bayesian import BayesianParameterSampling
from hdnotebook.sampling.grid import GridParameterSampling
from hdnotebook.sampling.history import SamplingHistory, TrialRecord
from hdnotebook.sampling.random import RandomParameterSampling

__all__ = [
    "BayesianParameterSampling",
    "GridParameterSampling",
    "HyperParameterSampling",
    "RandomParameterSampling",
    "SamplingHistory",
    "TrialRecord",
]
