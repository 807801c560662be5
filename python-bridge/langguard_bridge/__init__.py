"""LangGuard's bridge to Databricks and MLflow, run as one process per job (see bridge.py)."""

PROTOCOL_VERSION = 2
