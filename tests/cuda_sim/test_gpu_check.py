"""benchmarks/gpu_check.py runs end to end at --tiny sizes (under the simulator: no torch timings)."""
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_check.py"


def test_gpu_check_tiny(capsys):
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main(["--tiny", "--tests", "none"])
    assert [r["batch"] for r in results["cnn"]] == [2]
    assert all(r["losses_match"] and r["learntorch_cuda_s"] > 0 for r in results["cnn"])
    assert all(r["max_rel_err"] < 1e-5 for r in results["matmul"])
    assert "CNN training step" in capsys.readouterr().out
