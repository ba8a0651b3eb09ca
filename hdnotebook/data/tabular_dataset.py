"""TabularDataset: rows read from delimited files, as ``azureml.data.TabularDataset``."""

from __future__ import annotations

from typing import Any

from hdnotebook.data.abstract_dataset import AbstractDataset
from hdnotebook.data.cache import local_copy
from hdnotebook.data.consumption import DatasetConsumptionConfig
from hdnotebook.data.sources import parse_paths
from hdnotebook.exceptions import UserErrorException

PATH_COLUMN = "Path"


class TabularDataset(AbstractDataset):
    """A table; make one with ``Dataset.Tabular.from_delimited_files(path=...)``."""

    _kind = "tabular"

    @staticmethod
    def _from_delimited(path: Any, validate: bool = True, include_path: bool = False, separator: str = ",",
                        header: Any = True, encoding: str = "utf8", **options: Any) -> TabularDataset:
        if not isinstance(separator, str) or not separator:
            raise UserErrorException(f"from_delimited_files expects separator to be a non-empty string, got {separator!r}")
        if not isinstance(header, bool):
            header = str(header).upper() not in ("NO_HEADERS", "PROMOTEHEADERSBEHAVIOR.NO_HEADERS", "0", "FALSE")
        sources, workspace = parse_paths(path)
        definition = {"sources": sources, "format": "delimited", "separator": separator, "header": header,
                      "encoding": "utf-8" if encoding in ("utf8", "utf-8") else encoding, "include_path": bool(include_path)}
        dataset = TabularDataset(definition, workspace)
        if validate:
            dataset.take(1).to_pandas_dataframe()
        return dataset

    def to_pandas_dataframe(self, on_error: str = "null", out_of_range_datetime: str = "null") -> Any:
        """All rows of every file, in file order, as one pandas DataFrame (column types inferred by pandas).

        With ``include_path`` a ``Path`` column holds each row's file (its ``to_path()`` form).
        """
        import pandas as pd

        d = self._definition
        frames = []
        for file in self._files():
            try:
                frame = pd.read_csv(local_copy(file, self._cache_root()), sep=d["separator"], header=0 if d["header"] else None,
                                    encoding=d["encoding"], nrows=d.get("take"))
            except (ValueError, UnicodeError) as exc:
                raise UserErrorException(f"Could not read {file.location!r} as a delimited file: {exc}") from exc
            if d.get("include_path"):
                frame.insert(0, PATH_COLUMN, "/" + file.relative)
            frames.append(frame)
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return table.head(d["take"]) if d.get("take") is not None else table

    def take(self, count: int) -> TabularDataset:
        """A dataset of the first ``count`` rows (unregistered)."""
        if not isinstance(count, int) or count < 0:
            raise UserErrorException(f"take expects count to be a non-negative integer, got {count!r}")
        return TabularDataset({**self._definition, "take": count}, self._workspace)

    def as_named_input(self, name: str) -> DatasetConsumptionConfig:
        """This dataset as the run input ``name``: ``run.input_datasets[name]`` is the TabularDataset."""
        return DatasetConsumptionConfig(name, self)
