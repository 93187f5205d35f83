# Sourced by checks.sh and grid.sh: where the folder "$carry" (what prepare_carry.sh built, default .gpu) exists,
# install its wheels into /tmp/nle-site and put them and its stand-ins (site/) on PYTHONPATH after the repository.
carry=$(realpath -m "${carry:-.gpu}")
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
if [ -d "$carry" ]; then
  if [ -d "$carry/wheels" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/nle-site \
        "$carry"/wheels/*.whl
  fi
  export PYTHONPATH=$PWD:$carry/site:/tmp/nle-site${PYTHONPATH#"$PWD"}
fi
