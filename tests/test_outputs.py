"""Any text a student controls survives every output; BOM and CRLF sources grade like plain
ones; Gradescope's visible summary gives no hidden result away; zip links are left out.

One class folder is graded once (`batch`) and its reports are reused by most assertions: a
hostile submission (control characters, workflow commands, a lone surrogate in an exception,
a folder name with `\\r=1+1` and a newline), a BOM/CRLF one, a partial one, one that fails
hidden tests only, a folder whose name is not UTF-8, and a zip with a link member.
"""

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest

from grader import course as courses
from grader import safe_text
from grader.instructor import gradescope, submissions
from grader.judge import forbidden
from grader.reports import formats
from grader.student import explain
from helpers import EXERCISES, PROJECT, SOLUTIONS, make_submission

JUNIT_XSD = os.path.join(PROJECT, "tests", "schemas", "junit-10.xsd")
HOSTILE_NAME = "\r=1+1\n::error::folder"
TWO = ("-e", "tensor_numpy", "-e", "shapes")

# Appended to the reference tensor_numpy.py: every test of to_numpy prints and raises this.
HOSTILE_TO_NUMPY = '''

def to_numpy(t):
    print("\\x00\\x0c\\x1b[31mred\\x1b[0m")
    print("::error::x")
    print("  ::add-mask::y")
    print("::stop-commands::token")
    print("older form: ##[add-mask]secret")
    raise ValueError("lone \\ud800 surrogate \\x00 ::error::z\\n  ::add-mask::w")
'''
# Passes the visible test of to_numpy, fails its hidden ones (a tensor that requires grad).
# Fails only to_numpy's hidden test (a non-contiguous input); its visible tests pass.
HIDDEN_ONLY_TO_NUMPY = '''

def to_numpy(t):
    out = t.detach().cpu().numpy()
    return out if t.is_contiguous() else out * 0
'''


def workflow_command_lines(text):
    """Lines a GitHub Actions runner would read as workflow commands: it splits at CR and LF,
    looks for `::` first after spaces, and for the older `##[` anywhere."""
    return [line for line in re.split(r"\r\n|\r|\n", text)
            if line.strip().startswith("::") or "##[" in line]


def grader_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True,
                          timeout=timeout, cwd=PROJECT, env=dict(os.environ, NO_COLOR="1"))


def side_by_side(*commands, timeout=300):
    """Run independent commands ((argv, environment)) at once, each with its own grader and
    worker (one grading barely keeps one core busy); their CompletedProcesses, in order."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(len(commands)) as pool:
        futures = [pool.submit(subprocess.run, argv, capture_output=True, timeout=timeout, cwd=PROJECT,
                               env=env) for argv, env in commands]
        return [f.result() for f in futures]


def text_of(data):
    return data.decode("utf-8")  # strict: output that is not UTF-8 fails here


def schema():
    xmlschema = pytest.importorskip("xmlschema")  # the [test] extra
    return xmlschema.XMLSchema(JUNIT_XSD)


def assert_valid_junit(text):
    ET.fromstring(text.encode("utf-8"))  # a strict, well-formedness parser
    errors = [e.reason for e in schema().iter_errors(text)]
    assert not errors, errors[:5]
    assert not workflow_command_lines(text)


def link_zip(path, members):
    """A zip with regular members ({name: text}) and one symbolic link `shapes.py`."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
        info = zipfile.ZipInfo("hw/shapes.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "../../solutions/shapes.py")


@pytest.fixture(scope="module")
def hostile_sub(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    with open(os.path.join(SOLUTIONS, "tensor_numpy.py")) as fh:
        source = fh.read()
    return make_submission(str(root / HOSTILE_NAME), {"tensor_numpy.py": source + HOSTILE_TO_NUMPY},
                           modules={"shapes"})


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, hostile_sub):
    """A class graded once by `batch`: (root, out, CompletedProcess)."""
    root = tmp_path_factory.mktemp("class")
    shutil.copytree(hostile_sub, root / HOSTILE_NAME)
    bom = root / "bom_crlf"
    bom.mkdir()
    for name, encoding, newline in (("shapes.py", "utf-8-sig", None), ("tensor_numpy.py", "utf-8", "\r\n")):
        with open(os.path.join(SOLUTIONS, name)) as fh:
            text = fh.read()
        with open(bom / name, "w", encoding=encoding, newline=newline) as fh:
            fh.write(text)
    make_submission(str(root / "partial"), modules={"shapes"})
    shutil.copy(os.path.join(EXERCISES, "tensor_numpy.py"), root / "partial" / "tensor_numpy.py")
    with open(os.path.join(SOLUTIONS, "tensor_numpy.py")) as fh:
        source = fh.read()
    make_submission(str(root / "hidden_only"), {"tensor_numpy.py": source + HIDDEN_ONLY_TO_NUMPY},
                    modules={"shapes"})
    os.mkdir(os.path.join(os.fsencode(root), b"not-utf8-\xff"))  # empty: graded as `empty`
    link_zip(root / "linked.zip", {"hw/x\n::error::member.py": "x = 1\n"})
    out = tmp_path_factory.mktemp("out")
    proc = grader_cli("batch", str(root), "--out", str(out), "--jobs", "1", "--timeout", "3", *TWO,
                      timeout=900)
    return root, out, proc


@pytest.fixture(scope="module")
def reports(classroom):
    _, out, proc = classroom
    assert proc.returncode == 0, text_of(proc.stderr)[-3000:]
    found = {}
    for entry in os.listdir(out):
        if entry.endswith(".json"):
            with open(os.path.join(out, entry), encoding="utf-8") as fh:
                found[entry[:-5]] = json.loads(fh.read())
    return found


# ------------------------------------------------------------------------ batch and its outputs
def test_batch_of_hostile_names_and_text_writes_every_output(classroom, reports):
    root, out, proc = classroom
    printed = text_of(proc.stdout) + text_of(proc.stderr)
    assert not workflow_command_lines(printed), printed
    progress = [line for line in text_of(proc.stderr).splitlines() if line.startswith("[")]
    assert len(progress) == 6, printed  # one line per submission, whatever its name holds
    assert os.path.getsize(out / "report.html") > 0
    # the names, made safe once: escapes instead of line breaks and bytes that are not UTF-8
    assert set(reports) == {"\\r=1+1\\n::error::folder", "bom_crlf", "partial", "hidden_only",
                            "not-utf8-\\xff", "linked"}
    hostile = reports["\\r=1+1\\n::error::folder"]
    messages = [t["message"] for ex in hostile["exercises"] for t in ex["tests"]]
    assert any("lone \ufffd surrogate" in m for m in messages)
    assert not any(re.search("[\ud800-\udfff]", m) for m in messages)
    assert reports["linked"]["batch_status"].startswith("error") and \
        "symbolic link" in reports["linked"]["batch_status"]


def test_gradebook_rows_stay_rows_and_run_no_formula(classroom, reports):
    _, out, _ = classroom
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as fh:
        text = fh.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(reports) + 1 == len(text.splitlines())
    for row in rows[1:]:
        for value in row:
            assert not value.lstrip().startswith(("=", "+", "-", "@")) and "\r" not in value


def test_bom_and_crlf_modules_score_full(reports):
    bom = reports["bom_crlf"]
    assert bom["score"] == bom["max_score"] > 0
    assert {ex["status"] for ex in bom["exercises"]} == {"complete"}


def test_junit_valid_against_junit_10_xsd_perfect_partial_hostile(reports):
    for name in ("bom_crlf", "partial", "\\r=1+1\\n::error::folder"):
        report = reports[name]
        text = formats.to_junit(report)
        assert_valid_junit(text)
        root = ET.fromstring(text.encode("utf-8"))
        cases = root.findall("testsuite/testcase")
        assert len(cases) == sum(len(ex["tests"]) for ex in report["exercises"])
        # per-test points, in system-out, add up to the report's score
        points = [dict(line.split("=", 1) for line in case.find("system-out").text.splitlines())
                  for case in cases]
        assert sum(float(p["score"]) for p in points) == report["score"]
        assert sum(float(p["max_score"]) for p in points if p["status"] != "skipped") == report["max_score"]
        suites = {s.get("name"): {p.get("name"): p.get("value") for p in s.findall("properties/property")}
                  for s in root.findall("testsuite")}
        assert {n: float(s["score"]) for n, s in suites.items()} == \
            {ex["name"]: ex["score"] for ex in report["exercises"]}


def test_every_json_format_of_hostile_text_parses(reports):
    report = reports["\\r=1+1\\n::error::folder"]
    for fmt in ("json", "gradescope", "classroom"):
        text = formats.render(report, fmt)
        text.encode("utf-8")
        json.loads(text)
        assert not workflow_command_lines(text)


# ------------------------------------------------------------------------ grade, check, notebook
@pytest.fixture(scope="module")
def junit_graded(hostile_sub, tmp_path_factory):
    """`grade --format junit` of the hostile submission, on stdout and with -o."""
    out = tmp_path_factory.mktemp("junit") / "report.xml"
    grade = [sys.executable, "-m", "grader.cli", "grade", hostile_sub, "-e", "tensor_numpy", "--format", "junit"]
    env = dict(os.environ, NO_COLOR="1")
    on_stdout, to_file = side_by_side((grade, env), ([*grade, "-o", str(out), "-q"], env))
    return on_stdout, to_file, out


def test_junit_of_hostile_text_on_stdout_and_to_a_file(junit_graded):
    on_stdout, to_file, out = junit_graded
    assert on_stdout.returncode == 0, on_stdout.stderr[-3000:]
    assert_valid_junit(text_of(on_stdout.stdout))
    assert not workflow_command_lines(text_of(on_stdout.stderr))  # the score table names the folder
    assert "\\r=1+1\\n::error::folder" in text_of(on_stdout.stderr)
    assert to_file.returncode == 0 and to_file.stdout == b"", to_file.stderr[-3000:]
    with open(out, encoding="utf-8") as fh:
        text = fh.read()
    assert_valid_junit(text)
    # what the student printed is kept, readable: control characters as escapes
    failure = ET.fromstring(text.encode("utf-8")).find("testsuite/testcase/error")
    assert "\\x1b[31mred" in failure.text and "::error::x" in failure.text
    assert "##[add-mask]secret" in failure.text
    assert "lone \ufffd surrogate" in failure.get("message")


def test_check_and_notebook_check_of_hostile_text(hostile_sub):
    proc, notebook = side_by_side(
        ([sys.executable, "-m", "grader.cli", "check", "to_numpy", "-s", hostile_sub],
         dict(os.environ, NO_COLOR="1")),
        ([sys.executable, "-c", "import sys\nfrom grader import check\n"
          f"r = check('to_numpy', submission={hostile_sub!r})\nsys.exit(0 if not r.passed else 3)"],
         dict(os.environ)))
    assert proc.returncode == 1, proc.stderr[-3000:]
    printed = text_of(proc.stdout)
    assert "to_numpy" in printed and "lone \ufffd surrogate" in printed
    assert not workflow_command_lines(printed + text_of(proc.stderr))
    assert notebook.returncode == 0, notebook.stderr[-3000:]
    assert not workflow_command_lines(text_of(notebook.stdout))


# ------------------------------------------------------------------------ Gradescope visibility
def test_gradescope_visible_output_shows_no_hidden_result(reports):
    report = reports["hidden_only"]
    tests = [t for ex in report["exercises"] for t in ex["tests"] if t["status"] != "skipped"]
    hidden_failing = [t for t in tests if t["status"] != "passed"]
    assert hidden_failing and all(t["visibility"] == "hidden" for t in hidden_failing), hidden_failing
    results = formats.gradescope_results(report)
    output = results["output"]
    numpy = next(ex for ex in report["exercises"] if ex["name"] == "tensor_numpy")
    assert "partial" not in output and f"{numpy['score']:g}/{numpy['max_score']:g}" not in output
    assert "`to_numpy`" not in output and "hidden test" in output
    # the visible summary is the same whatever the hidden tests' verdicts
    all_passed = json.loads(json.dumps(report))
    for ex in all_passed["exercises"]:
        for t in ex["tests"]:
            if t["visibility"] == "hidden" and t["status"] != "skipped":
                t.update(status="passed", score=t["max_score"], message="")
    assert formats.gradescope_results(all_passed)["output"] == output
    # each hidden test still carries its own result, shown once published
    by_name = {t["name"]: t for t in results["tests"]}
    hidden = [n for n in by_name if "test_to_numpy_non_contiguous" in n]
    assert hidden and all(by_name[n]["visibility"] == "after_published" for n in hidden)


def test_gradescope_visible_output_names_visible_failures(reports):
    output = formats.gradescope_results(reports["partial"])["output"]
    assert "`to_numpy`" in output and "not_started" in output


# ------------------------------------------------------------------------ zip links, both paths
def test_zip_link_left_out_of_a_gradescope_upload_and_refused_by_batch(tmp_path):
    course = courses.find()
    upload = tmp_path / "submission"
    upload.mkdir()
    with open(os.path.join(SOLUTIONS, "tensor_numpy.py")) as fh:
        link_zip(upload / "work.zip", {"hw/tensor_numpy.py": fh.read()})
    os.symlink(os.path.join(SOLUTIONS, "losses.py"), upload / "losses.py")
    origin, notes = gradescope.gather(str(upload), course, str(tmp_path / "flat"))
    assert set(origin) == {"tensor_numpy.py"}  # not the link's target text as shapes.py
    assert not (tmp_path / "flat" / "shapes.py").exists()
    assert any("work.zip:hw/shapes.py: a symbolic link, left out" in n for n in notes)
    assert any("losses.py: a symbolic link, left out" in n for n in notes)
    (tmp_path / "unpacked").mkdir()
    with pytest.raises(submissions.UnsafeZip, match="symbolic link"):
        submissions.unpack_zip(str(upload / "work.zip"), str(tmp_path / "unpacked"))


# ------------------------------------------------------------------------ the pieces
def test_bom_and_crlf_sources_read_as_python_reads_them(tmp_path):
    path = tmp_path / "losses.py"
    source = ("import torch.nn.functional as F\n\n\ndef helper():\n    pass\n\n\n"
              "def cross_entropy(x, t):\n    return F.cross_entropy(x, t)\n")
    path.write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode())
    text = safe_text.read_source(str(path))
    assert text == source
    banned = courses.find().by_name()["losses"].task("cross_entropy").forbidden
    assert forbidden.find(text, "cross_entropy", banned)
    assert forbidden.find(path.read_bytes(), "cross_entropy", banned)
    assert forbidden.find("\ufeff" + source, "cross_entropy", banned)
    assert explain.definition_line(str(tmp_path), "losses", "cross_entropy") == 8


def test_safe_text_rules():
    assert safe_text.clean("a\ud800b") == "a\ufffdb"
    capped = safe_text.clean("x" * 1000, 100)
    assert len(capped) <= 100 and "more characters not kept" in capped
    assert safe_text.csv_cell("\r=1+1") == "\\r=1+1"
    assert safe_text.csv_cell("=1+1") == "'=1+1" and safe_text.csv_cell("  @x") == "'  @x"
    assert safe_text.clean_name(os.fsdecode(b"a\xff\nb")) == "a\\xff\\nb"
    for text in ("::error::x", "ok\n  ::add-mask::y", "ok\r::stop-commands::t", "\t::warning::w"):
        assert not workflow_command_lines(safe_text.console(text)), text
        assert "::" in safe_text.console(text)  # kept, readable
    assert safe_text.console("a :: b\nc") == "a :: b\nc"
    assert not workflow_command_lines(safe_text.console("x ##[add-mask]y"))
    assert json.loads(safe_text.json_dumps({"m": "x ##[error]y"})) == {"m": "x ##[error]y"}
    assert "##[" not in safe_text.json_dumps({"m": "x ##[error]y"})
    xml = "<a>" + safe_text.xml_text("\x00\x0c\x1b[31m\r\n::e::\ud800") + "</a>"
    assert ET.fromstring(xml).text == "\\x00\\x0c\\x1b[31m\r\n::e::\ufffd"


def test_json_never_holds_a_lone_surrogate_escape():
    report = {"submission": os.fsdecode(b"x\xff"), "submission_path": "/a/\ud800", "exercises": []}
    text = formats.to_json(report)
    assert "\\ud" not in text.lower() and json.loads(text)["submission"] == "x\ufffd"
