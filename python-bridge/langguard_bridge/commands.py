"""The one table of bridge commands. The Node side's command schemas are checked against it by a
contract test, so adding a command is: write it in its family's module, list it here and there."""

from .catalog import cmd_stream_catalog
from .check import cmd_check
from .traces import cmd_list_experiments, cmd_stream_traces

COMMANDS = {
    "check": cmd_check,
    "stream-catalog": cmd_stream_catalog,
    "list-experiments": cmd_list_experiments,
    "stream-traces": cmd_stream_traces,
}
