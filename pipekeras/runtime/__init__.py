"""The runtime: the only code that decides threads, BLAS thread counts and scratch memory.

Kernels call it; the training loop uses one hook (`threads.training_step`); it imports nothing else of
pipekeras. Its verbs:

- `blas.matmul(a, b, out=None, bias=None)`: the one matrix product outside compiled code; it decides whether
  to split the product and over which threads. Compiled kernels call `gemm.gemm` / `gemm.split_product`.
- `threads.parallel_loop(loop)`: a prange loop compiled serial and parallel, picked by size per call.
- `threads.split_rows(run, rows, work)`: work over batch rows split over the row-split threads.
- `threads.training_step(owner)`: the scope of one layer-by-layer training step (one pool of threads), on
  the thread count `step_threads.StepThreads` chooses for the owner from its timed steps.
- `threads.set_num_threads(n)` / `get_num_threads()`: the thread count, read per call (`thread_count()`).
- `blas_threads.one_blas_thread()`: the one process-wide owner of BLAS thread counts (reference-counted).
- `buffers.BufferPool`, `buffers.pool_of(owner)`: the one scratch-memory scheme (arrays reused when idle).
- `tuning`: every size threshold in one table; `jit.jit`: how every kernel is compiled.
"""
