#!/usr/bin/env bash
# One prepared run on a CUDA machine (see README, "GPU"): grade solutions/ with and without
# -e gpu, under bubblewrap and the process fallback, the stubs, the GPU tests' hostile and mistake
# cases, and the timings against the floor. Expects .whl/ to hold the pytest-json-report and
# pytest-metadata wheels and bubblewrap's .deb; writes what it finds under $OUT (or ./device-out).
set -u
OUT=${OUT:-$PWD/device-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  && export PYTHONPATH=/tmp/site
if ! command -v bwrap >/dev/null 2>&1 && ls .whl/bubblewrap_*.deb >/dev/null 2>&1; then
  dpkg -x .whl/bubblewrap_*.deb /tmp/bw && export PATH=/tmp/bw/usr/bin:$PATH
fi
{
  nvidia-smi -L; python3 --version
  python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.device_count())"
  bwrap --version
} 2>&1 | tee "$OUT/env.txt"
summary() {  # report.json -> one line: score, statuses, sandbox
  python3 - "$1" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))
c = collections.Counter(t["status"] for e in r["exercises"] for t in e["tests"])
env = r["environment"]
print(f"  score {r['score']:g}/{r['max_score']:g} skipped {r['skipped_score']:g}; {dict(c)}; "
      f"sandbox {env['sandbox']}, cuda {env['cuda_available']}, gpus {env['gpu_count']}, "
      f"memory {env.get('memory_limit')}")
bad = [(t["id"], t["status"], t["message"][:300]) for e in r["exercises"] for t in e["tests"]
       if t["status"] not in ("passed", "skipped", "not_implemented")]
for b in bad[:12]:
    print("   ", *b)
PY
}
for run in "solutions" "solutions -e gpu" "solutions --sandbox process" "exercises" "exercises -e gpu"; do
  name=$(echo "$run" | tr ' ' '_' | tr -d -)
  echo "== grader grade $run" | tee -a "$OUT/summary.txt"
  timeout 300 python3 -m grader grade $run -q -o "$OUT/$name.json" 2>>"$OUT/stderr.txt"
  echo "  exit $?" | tee -a "$OUT/summary.txt"
  summary "$OUT/$name.json" 2>&1 | tee -a "$OUT/summary.txt"
done
echo "== GPU hostile and mistake cases" | tee -a "$OUT/summary.txt"
timeout 240 python3 -m pytest -q -p no:cacheprovider tests/test_hostile.py -k "claims_cuda or memory_bomb" 2>&1 | tail -5 | tee -a "$OUT/summary.txt"
GRADER_MISTAKES=gpu,tensor_numpy timeout 240 python3 -m pytest -q -p no:cacheprovider tests/test_mistakes.py 2>&1 | tail -5 | tee -a "$OUT/summary.txt"
echo "== speed" | tee -a "$OUT/summary.txt"
timeout 200 python3 benchmarks/grade_speed.py --runs 5 2>&1 | tee -a "$OUT/summary.txt"
timeout 150 python3 benchmarks/student_speed.py --runs 5 2>&1 | tee -a "$OUT/summary.txt"
