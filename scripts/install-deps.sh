#!/usr/bin/env bash
# Install what glassvib needs from Debian 12's archive, only what is missing.
# Idempotent: a second run installs nothing. Pass --peers to also install the
# benchmark peers (LAMMPS, SciPy/NumPy).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libopenblas-dev liblapacke-dev libsuitesparse-dev
      libarpack2-dev libhdf5-dev libgsl-dev librandom123-dev gnuplot-nox
      libopenmpi-dev openmpi-bin python3 python3-numpy python3-h5py)
for arg in "$@"; do
  case "$arg" in
    --peers) pkgs+=(lammps python3-scipy) ;;
    *) echo "install-deps.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
