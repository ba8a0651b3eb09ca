"""The exception hierarchy, named as in HyperDrive (reference section 9)::

    AzureMLException                     (property ``error_code``)
     ├── UserErrorException               bad input to a Run method (e.g. run.log of a list); error code
     │                                    ChannelNotInherited: a process that cannot reach its run's events pipe
     ├── RunEnvironmentException          Run.get_context(allow_offline=False) outside a run
     ├── ActivityFailedException          wait_for_completion(raise_on_error=True) on a Failed run
     ├── TrainingException                a sweep could not be started or cancelled
     ├── WebserviceException              a model registry call failed
     ├── ModelPathNotFoundException       register_model with a path that is not among the run's files
     ├── ComputeTargetException           ComputeTarget(workspace, name) of a name never created
     ├── StoreWriteError                  the store cannot be written: disk full, read-only, failing disk
     ├── DamagedStoreException            the store file is not a readable SQLite database
     └── HyperDriveException
          ├── HyperDriveServiceException       the tuning loop failed while running a sweep
          │    └── ComputeTargetLost            the connection to a sweep's Dask scheduler was lost
          ├── HyperDriveRehydrateException     a run id that the store does not hold
          └── HyperDriveConfigException        invalid expression, sampling, policy or config
               └── HyperDriveScenarioNotSupportedException
                    └── HyperDriveNotImplementedException
"""

from __future__ import annotations

TYPE_CHECKING = False  # a script child imports this module: no typing or pathlib at run time
if TYPE_CHECKING:
    from pathlib import Path


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


class ComputeTargetException(AzureMLException):
    """Raised when a compute target is not registered in the workspace (``ComputeTarget(ws, name)``)."""


# how a store write failed (StoreWriteError.kind), and what the user can do about it
STORE_FULL, STORE_READ_ONLY, STORE_IO = "full", "read-only", "I/O"
_STORE_ADVICE = {
    STORE_FULL: "free space on the disk that holds it",
    STORE_READ_ONLY: "make the file and its folder writable",
    STORE_IO: "check the disk that holds it",
}


class StoreWriteError(AzureMLException):
    """The workspace store (or a file in its folder) cannot be written: the disk is full, it is read-only or it
    fails (``kind``: STORE_FULL, STORE_READ_ONLY, STORE_IO). Everything committed before stays in the store; the
    write that failed left nothing behind."""

    def __init__(self, path: Path, cause: str, kind: str) -> None:
        from pathlib import Path

        self.path = Path(path)
        self.cause = cause
        self.kind = kind
        super().__init__(
            f"The workspace store {self.path} cannot be written ({cause}): {_STORE_ADVICE[kind]}. Everything committed "
            f"before this error is kept; the write that failed left nothing behind.", error_code="StoreWriteFailed")

    def __reduce__(self) -> tuple[type[StoreWriteError], tuple[Path, str, str]]:
        # rebuilt from its own arguments when it crosses a process (a Dask worker, a store in another process)
        return type(self), (self.path, self.cause, self.kind)


class DamagedStoreException(AzureMLException):
    """The workspace store file is not a readable SQLite database; the file is left as it is."""


class HyperDriveException(AzureMLException):
    """Base of the HyperDrive errors."""


class HyperDriveServiceException(HyperDriveException):
    """The tuning loop failed while running a sweep."""


class ComputeTargetLost(HyperDriveServiceException):
    """The notebook lost its connection to the Dask scheduler while a sweep ran."""


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
