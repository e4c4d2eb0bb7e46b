# Sourced by bench/run-all.sh and bench/run-threads.sh (from the repository root, PYTHON set): the PyTorch peer,
# bench/peers/torch_bench.py.

# Sets HAS_TORCH to 1 when $PYTHON imports torch; otherwise leaves it empty and says so, as the script named $1.
find_torch() {
  HAS_TORCH=
  if "$PYTHON" -c 'import torch' 2> /dev/null; then
    HAS_TORCH=1
  else
    echo "$1: $PYTHON has no torch (apt-get install python3-torch): no PyTorch column" >&2
  fi
}

# torch_peer THREADS [PREFIX...] -- ARGS...: torch_bench.py ARGS on THREADS threads (OpenMP, OpenBLAS and
# torch.set_num_threads), started through PREFIX (taskset -c N to pin it, or nothing). PyTorch at its best: without
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which these machines set for old OpenBLAS builds and which hold OpenBLAS
# to its Haswell kernel.
torch_peer() {
  local threads=$1
  shift
  local prefix=()
  while [ "$1" != -- ]; do
    prefix+=("$1")
    shift
  done
  shift
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" \
    ${prefix[@]+"${prefix[@]}"} "$PYTHON" bench/peers/torch_bench.py --threads "$threads" "$@"
}
