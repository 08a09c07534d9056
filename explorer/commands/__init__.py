"""The bodies of the headless commands, one module per job (parsing lives in cli.py and
cli_args.py, which calls ``run_<command>``)."""

from explorer.commands.describe import run_doctor, run_info, run_shuffle
from explorer.commands.measure import run_bench, run_fit
from explorer.commands.models import run_export, run_predict, run_weights
from explorer.commands.training import run_lesson, run_train

__all__ = [
    "run_bench",
    "run_doctor",
    "run_export",
    "run_fit",
    "run_info",
    "run_lesson",
    "run_predict",
    "run_shuffle",
    "run_train",
    "run_weights",
]
