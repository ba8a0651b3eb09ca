"""Every error hdnotebook raises on purpose is defined in ``hdnotebook.exceptions`` and drawn in its tree."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
import re

import hdnotebook
from hdnotebook import exceptions


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_library_error_is_defined_and_drawn_in_the_exceptions_module() -> None:
    for module in pkgutil.walk_packages(hdnotebook.__path__, "hdnotebook."):
        if module.name.startswith("hdnotebook.widget") or module.name.endswith("__main__"):
            continue  # the widget needs a front end's libraries; its errors would be caught below if it had any
        importlib.import_module(module.name)
    errors = {c for c in _all_subclasses(exceptions.AzureMLException) if c.__module__.startswith("hdnotebook")}
    assert len(errors) >= 15
    elsewhere = sorted(f"{c.__module__}.{c.__name__}" for c in errors if c.__module__ != "hdnotebook.exceptions")
    assert not elsewhere, f"errors defined outside hdnotebook.exceptions: {elsewhere}"
    tree = exceptions.__doc__ or ""
    undrawn = sorted(c.__name__ for c in errors if not re.search(rf"(─ |^\s*){c.__name__}\b", tree, re.M))
    assert not undrawn, f"errors missing from the tree in hdnotebook.exceptions' docstring: {undrawn}"


def test_a_store_write_error_names_the_file_the_cause_and_what_to_do(tmp_path) -> None:
    error = exceptions.StoreWriteError(tmp_path / "store.sqlite", "database or disk is full", exceptions.STORE_FULL)
    assert isinstance(error, exceptions.AzureMLException) and error.error_code == "StoreWriteFailed"
    assert str(tmp_path / "store.sqlite") in str(error) and "free space" in str(error) and error.kind == "full"


def test_every_library_error_survives_pickling_with_its_message_and_code(tmp_path) -> None:
    """Errors cross processes (a Dask worker, a store in another process) pickled."""
    errors = [exceptions.StoreWriteError(tmp_path / "store.sqlite", "disk I/O error", exceptions.STORE_IO)]
    for name in dir(exceptions):
        kind = getattr(exceptions, name)
        if isinstance(kind, type) and issubclass(kind, exceptions.AzureMLException) and kind is not exceptions.StoreWriteError:
            errors.append(kind(f"{name} happened", error_code=f"{name}Code"))
    assert len(errors) >= 15
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert (str(copy), copy.message, copy.error_code) == (str(error), error.message, error.error_code)
    store_error = pickle.loads(pickle.dumps(errors[0]))
    assert (store_error.path, store_error.cause, store_error.kind) == (tmp_path / "store.sqlite", "disk I/O error", exceptions.STORE_IO)
