"""`python -m tui` runs the same command line as `embedding-explorer`."""

from tui.cli import run

run()
