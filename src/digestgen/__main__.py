"""``python -m digestgen``: the ``digestgen`` command, for an environment whose scripts
folder is not on PATH (or to pick the interpreter explicitly)."""

from .cli import run

if __name__ == "__main__":
    run()
