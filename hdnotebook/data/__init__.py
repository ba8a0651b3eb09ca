"""Datasets and datastores, as ``azureml.data``: FileDataset, TabularDataset, DatasetConsumptionConfig,
DataReference. Files are local, fetched over http(s) into the workspace cache, or in a datastore folder."""

from hdnotebook.data.consumption import DatasetConsumptionConfig
from hdnotebook.data.datastore_folder import DataReference
from hdnotebook.data.file_dataset import FileDataset
from hdnotebook.data.tabular_dataset import TabularDataset

__all__ = ["DataReference", "DatasetConsumptionConfig", "FileDataset", "TabularDataset"]
