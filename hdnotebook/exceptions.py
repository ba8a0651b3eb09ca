"""The exception hierarchy, named as in HyperDrive (reference section 9)::

    AzureMLException
     ├── UserErrorException               bad input to a Run method (e.g. run.log of a list)
     ├── RunEnvironmentException          Run.get_context(allow_offline=False) outside a run
     ├── ActivityFailedException          wait_for_completion(raise_on_error=True) on a Failed run
     ├── TrainingException                a sweep could not be started or cancelled
     └── HyperDriveException              (property ``error_code``)
          ├── HyperDriveServiceException
          ├── HyperDriveRehydrateException     a run id that the store does not hold
          └── HyperDriveConfigException        invalid expression, sampling, policy or config
               └── HyperDriveScenarioNotSupportedException
                    └── HyperDriveNotImplementedException
"""

from __future__ import annotations


class AzureMLException(Exception):
    """Base of every error this library raises on purpose."""

    def __init__(self, message: str = "", error_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self._error_code = error_code or type(self).__name__

    @property
    def error_code(self) -> str:
        """A short machine-readable name of the error (defaults to the class name)."""
        return self._error_code


class UserErrorException(AzureMLException):
    """A Run method was called with input it does not accept."""


class RunEnvironmentException(AzureMLException):
    """``Run.get_context(allow_offline=False)`` was called outside a run."""


class ActivityFailedException(AzureMLException):
    """The run that ``wait_for_completion(raise_on_error=True)`` waited for failed."""


class TrainingException(AzureMLException):
    """A sweep or run could not be started, or could not be cancelled."""


class WebserviceException(AzureMLException):
    """A model registry call failed (Azure raises this for models too): unknown model, existing download target."""


class ModelPathNotFoundException(AzureMLException):
    """``register_model`` was given a path that is not among the run's files."""


class HyperDriveException(AzureMLException):
    """Base of the HyperDrive errors."""


class HyperDriveServiceException(HyperDriveException):
    """The tuning loop failed while running a sweep."""


class HyperDriveRehydrateException(HyperDriveException):
    """A run could not be reopened from the store."""


class HyperDriveConfigException(HyperDriveException):
    """A parameter expression, sampling, policy or HyperDriveConfig is invalid."""


class HyperDriveScenarioNotSupportedException(HyperDriveConfigException):
    """The configuration asks for something this library does not support."""


class HyperDriveNotImplementedException(HyperDriveScenarioNotSupportedException):
    """A HyperDriveRun method that HyperDrive itself does not implement."""


def invalid_setting(obj: str, condition: str) -> HyperDriveConfigException:
    """HyperDrive's InvalidConfigSetting template: ``"{obj} expects {condition}"``."""
    return HyperDriveConfigException(f"{obj} expects {condition}", error_code="InvalidConfigSetting")


def invalid_type(expected: str, obj: str, actual: object) -> HyperDriveConfigException:
    """HyperDrive's InvalidType template, naming the actual type instead of ``[Scrubbed]``."""
    return HyperDriveConfigException(
        f"Expected type {expected} for {obj} but got {type(actual).__name__}",
        error_code="InvalidType",
    )
