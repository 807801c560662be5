"""LangGuard's bridge to Databricks and MLflow, run as one process per job (see bridge.py)."""

import os

PROTOCOL_VERSION = 2

# MLflow 3 sends usage telemetry from wherever it runs unless told not to, and its thread edits
# os.environ while other threads read it. Nothing leaves a customer's environment: the switch is
# set here, before any module imports mlflow, whatever environment the process was given.
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
