"""`python -m pipekeras compile [--models a,b] [--threads 1,2]`: fills Numba's disk cache with the kernels of the
seed models, so that their first `fit` and `predict` load machine code instead of compiling it (see
pipekeras/seed_compile.py)."""

import sys

from .seed_compile import main

COMMANDS = {"compile": main}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python -m pipekeras {{{','.join(COMMANDS)}}} [options]; "
                 "`python -m pipekeras compile --help` for the compile step's options")
    COMMANDS[sys.argv[1]](sys.argv[2:])
