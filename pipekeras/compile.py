"""`python -m pipekeras.compile [--models a,b] [--threads 1,2]`: fills Numba's disk cache with the kernels of the
seed models, so that their first `fit` and `predict` load machine code instead of compiling it (see
pipekeras/seed_compile.py). Run it as a module only: importing it as `pipekeras.compile` would shadow the
`compile` verb of the package namespace."""

from .seed_compile import main

if __name__ == "__main__":
    main()
