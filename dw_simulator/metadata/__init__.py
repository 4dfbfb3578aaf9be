"""Metadata (experiments, tables, generation runs) in SQLite; data lives in the warehouses."""

from dw_simulator.metadata.store import MetadataStore
from dw_simulator.metadata.tables import Experiment, ExperimentTable, GenerationRun

__all__ = ["Experiment", "ExperimentTable", "GenerationRun", "MetadataStore"]
