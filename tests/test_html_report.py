"""The class report (grader/reports/html.py): its numbers, its grouping of mistakes, its escaping,
and the page as a real headless Chromium renders it."""

import html.parser
import json
import os
import re
import shutil
import subprocess

import pytest

from grader.reports import html as report_html
from grader.reports.html import (class_stats, group_failures, histogram_counts, normalize_message,
                                 problem_rows, render_class_report)

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = [os.path.join(HERE, "class_report", name) for name in ("real_partial.json",
                                                               "real_crash.json")]
EVIL_NAME = "<script>alert(\"x\")</script>'&"
EVIL_MESSAGE = "got <img src=x onerror=alert(1)> and \"quotes\" & 'apostrophes'"


# ------------------------------------------------------------------------------ synthetic reports
def case(task, status, message="", score=None, max_score=1.0, n=0):
    return {"id": f"test_x.py::test_{task}_{n}", "task": task, "status": status,
            "score": max_score if score is None and status == "passed" else (score or 0.0),
            "max_score": max_score, "visibility": "hidden", "message": message, "duration_s": 0.01}


def exercise(name, tests, status=None, message=None, title=None):
    ran = [t for t in tests if t["status"] != "skipped"]
    if status is None:
        statuses = {t["status"] for t in ran}
        status = "complete" if statuses <= {"passed"} else \
            "not_started" if statuses == {"not_implemented"} else "partial"
    ex = {"name": name, "title": title or name.title(), "status": status, "tests": tests,
          "score": sum(t["score"] for t in ran), "max_score": sum(t["max_score"] for t in ran)}
    if message:
        ex["message"] = message
    return ex


def student(name, exercises, batch_status="graded"):
    score = sum(e["score"] for e in exercises)
    mx = sum(e["max_score"] for e in exercises)
    return {"schema_version": 1, "submission": name, "score": score, "max_score": mx,
            "percentage": round(100 * score / mx, 1) if mx else 0.0, "exercises": exercises,
            "batch_status": batch_status}


WRONG = ("swap_last_two(tensor float32 ({}, {})) returned wrong values: {} of {} differ; first at "
         "index (0, 1): got np.float64({}), expected np.float64({})")


def small_class():
    """Four graded students, one empty, one the batch could not grade.

    shapes.swap_last_two: ann passes; bob and cy fail with the same mistake on other inputs; dee
    gets a shape error. shapes.squeeze: everyone passes but dee (not started). numpy.to_numpy:
    ann passes; bob crashes; cy's module does not import (no tests); dee's only test is skipped.
    """
    ann = student("ann", [
        exercise("shapes", [case("swap_last_two", "passed", n=0), case("swap_last_two", "passed", n=1),
                            case("squeeze", "passed")], title="Shapes <-> views"),
        exercise("numpy", [case("to_numpy", "passed"), case("to_numpy", "skipped", n=1)]),
    ])
    bob = student("bob", [
        exercise("shapes", [case("swap_last_two", "passed", n=0),
                            case("swap_last_two", "failed", WRONG.format(3, 5, 12, 15, 0.25, -1.5), n=1),
                            case("squeeze", "passed")]),
        exercise("numpy", [case("to_numpy", "crashed", "to_numpy(tensor float32 (3, 4)) tried to end "
                                                       "the process (SystemExit: 0)"),
                           case("to_numpy", "skipped", n=1)]),
    ])
    cy = student("cy", [
        exercise("shapes", [case("swap_last_two", "failed", WRONG.format(2, 7, 9, 14, 1e-3, 2.0), n=0),
                            case("swap_last_two", "failed", WRONG.format(4, 4, 3, 16, 7, 8), n=1),
                            case("squeeze", "passed")]),
        exercise("numpy", [], status="import_error",
                 message="numpy.py does not compile: invalid syntax (line 3)"),
    ])
    dee = student("dee", [
        exercise("shapes", [case("swap_last_two", "failed", "swap_last_two(tensor float32 (2, 3)) "
                                                             "returned shape (2, 3), expected (3, 2)"),
                            case("swap_last_two", "passed", n=1),
                            case("squeeze", "not_implemented", "squeeze is not implemented yet")]),
        exercise("numpy", [case("to_numpy", "skipped", n=1)]),
    ])
    empty = student("eve", [], batch_status="empty")
    broken = {"submission": "zed", "batch_status": "error: the worker could not start"}
    return [ann, bob, cy, dee, empty, broken]


# ------------------------------------------------------------------------------------ the numbers
def test_histogram_counts_bins_edges():
    counts = histogram_counts([0, 9.9, 10, 55, 99.9, 100, 100, -3, 140])
    assert counts == [3, 1, 0, 0, 0, 1, 0, 0, 0, 4]
    assert histogram_counts([]) == [0] * 10


def test_histogram_in_the_page_counts_the_graded_students():
    page = render_class_report(small_class())
    bins = [int(n) for n in re.findall(r'class="bin" data-count="(\d+)"', page)]
    stats = class_stats(small_class())
    # ann 100 %, bob 2/4 (the skipped test does not count), cy 1/3, dee 1/3, eve 0 %; zed none.
    assert sorted(stats["percentages"]) == [0.0, 33.3, 33.3, 50.0, 100.0]
    assert bins == [1, 0, 0, 2, 0, 1, 0, 0, 0, 1]
    assert sum(bins) == 5


def test_pass_rates_per_exercise_and_task():
    stats = class_stats(small_class())
    # eve has no exercises and zed no grades: the denominators are the 4 students graded.
    assert stats["exercises"]["shapes"]["passed"] == 1 and stats["exercises"]["shapes"]["total"] == 4
    assert stats["exercises"]["numpy"]["passed"] == 2  # ann complete; dee all skipped = complete
    tasks = stats["tasks"]
    assert (tasks[("shapes", "swap_last_two")]["passed"], tasks[("shapes", "swap_last_two")]["total"]) \
        == (1, 4)
    # dee has not started squeeze (a stub): the rate is over the 3 who tried it.
    squeeze = tasks[("shapes", "squeeze")]
    assert (squeeze["passed"], squeeze["total"], squeeze["tried"], squeeze["not_started"]) == (3, 4, 3, 1)
    assert squeeze["rate"] == 1.0
    # to_numpy: ann passes, bob crashed, cy's module did not import (counts as failing), and dee's
    # only test was skipped (not counted).
    assert (tasks[("numpy", "to_numpy")]["passed"], tasks[("numpy", "to_numpy")]["total"],
            tasks[("numpy", "to_numpy")]["tried"]) == (1, 3, 3)
    assert tasks[("numpy", "to_numpy")]["rate"] == pytest.approx(1 / 3)

    page = render_class_report(small_class())
    rates = [float(r) for r in re.findall(r'class="bar" data-rate="([0-9.]+)"', page)]
    # exercises: shapes, numpy; then tasks: swap_last_two, squeeze, to_numpy
    assert rates == pytest.approx([0.25, 0.5, 0.25, 1.0, 1 / 3], abs=1e-4)
    assert "3/3 · 1 n.s." in page  # squeeze: 3 of the 3 who tried, 1 not started


def test_task_with_every_test_skipped_shows_na():
    only = student("gpu-less", [exercise("gpu", [case("to_cuda", "skipped")])])
    stats = class_stats([only])
    assert stats["tasks"][("gpu", "to_cuda")] == {"passed": 0, "total": 0, "tried": 0, "not_started": 0,
                                                  "rate": None}
    assert "n/a" in render_class_report([only])


# ------------------------------------------------------------------------- grouping the mistakes
def test_normalize_groups_number_and_shape_variants():
    a = normalize_message(WRONG.format(3, 5, 12, 15, 0.266924113035202, -0.16613022983074188))
    b = normalize_message(WRONG.format(2, 3, 20, 24, 1e-3, 7))
    assert a == b
    assert a == ("swap_last_two(tensor float32 (…)) returned wrong values: # of # differ; first at "
                 "index (…): got #, expected #")
    shape_a = normalize_message("f(t) returned shape (3,), expected (3, 1)")
    shape_b = normalize_message("f(t) returned shape (12, 4, 4), expected (12, 4)")
    assert shape_a == shape_b == "f(t) returned shape (…), expected (…)"
    # different mistakes stay apart, and names with digits are not numbers
    assert shape_a != a
    assert "float32" in a and normalize_message("log2 of x is 3") == "log2 of x is #"
    assert normalize_message("returned [inf, -inf, nan]") == "returned […]"
    # a traceback under the headline does not split a group
    tb = ("to_numpy raised RuntimeError: Can't call numpy()\n  File \"tensor_numpy.py\", line 40, "
          "in to_numpy\n    return t.numpy()\n           ^^^^^")
    assert normalize_message(tb) == normalize_message(tb.replace("line 40", "line 12"))
    assert normalize_message(tb) == "to_numpy raised RuntimeError: Can't call numpy()"
    assert normalize_message("object at 0x7f3a2b1c") == normalize_message("object at 0xdeadbeef")


def test_group_failures_counts_students_and_tests():
    tasks = group_failures(small_class())
    # squeeze: dee's stub is not a failure, and the 3 who tried pass: not among the struggles.
    assert [(t["exercise"], t["task"], t["failing"], t["tried"]) for t in tasks] == [
        ("shapes", "swap_last_two", 3, 4), ("numpy", "to_numpy", 2, 3)]
    groups = tasks[0]["groups"]
    # bob (1 test) and cy (2 tests) make the same mistake on different inputs: one group.
    assert [(g["status"], g["students"], g["tests"]) for g in groups] == [("failed", 2, 3),
                                                                       ("failed", 1, 1)]
    assert "returned wrong values" in groups[0]["pattern"] and "#" in groups[0]["pattern"]
    assert groups[0]["example"] == WRONG.format(3, 5, 12, 15, 0.25, -1.5)
    assert "returned shape" in groups[1]["pattern"]
    # cy's numpy module did not import: the exercise's message stands for the task's tests
    to_numpy = {g["status"]: g for g in tasks[1]["groups"]}
    assert set(to_numpy) == {"crashed", "import_error"}
    assert "does not compile" in to_numpy["import_error"]["pattern"]


def test_problem_rows_list_crashes_forbidden_import_errors_and_batch_failures():
    reports = small_class()
    reports[0]["exercises"][0]["tests"] += [
        case("squeeze", "forbidden", "squeeze uses torch.squeeze (line 3), forbidden", n=1),
        case("squeeze", "forbidden", "squeeze uses torch.squeeze (line 9), forbidden", n=2),
        case("squeeze", "timeout", "squeeze(t) did not finish in 10 s", n=3)]
    rows = {(r["student"], r["status"]): r for r in problem_rows(reports)}
    assert set(rows) == {("ann", "forbidden"), ("ann", "timeout"), ("bob", "crashed"),
                         ("cy", "import_error"), ("eve", "empty"), ("zed", "error")}
    assert rows[("ann", "forbidden")]["count"] == 2
    assert rows[("zed", "error")]["message"] == "the worker could not start"
    assert rows[("cy", "import_error")]["where"] == "numpy"
    # failed and not_implemented tests are mistakes, not problems
    assert not [r for r in problem_rows(reports) if r["student"] == "dee"]


# ------------------------------------------------------------------------------ the page as text
class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.hrefs, self.rows, self.data = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag == "tr" and "data-student" in attrs:
            self.rows.append(attrs["data-student"])

    def handle_data(self, data):
        self.data.append(data)


def parse(page):
    p = Tags()
    p.feed(page)
    p.close()
    return p


def evil_class():
    reports = small_class()
    reports[1]["submission"] = EVIL_NAME
    reports[1]["exercises"][0]["tests"][1]["message"] = EVIL_MESSAGE
    reports[1]["exercises"][0]["title"] = "</title><script>alert(2)</script>"
    reports[2]["submission"] = "javascript:alert(1)"
    reports[5]["batch_status"] = "error: <b>boom</b>"
    return reports


def test_untrusted_text_is_escaped():
    page = render_class_report(evil_class(), title="Week <1> & \"two\"")
    p = parse(page)
    scripts = [t for t, _ in p.tags if t == "script"]
    assert len(scripts) == 1  # ours, the sorting; none from a name, a title or a message
    assert "<img" not in page and "<b>boom" not in page and "alert(2)</script>" not in page
    assert not [(t, a) for t, a in p.tags for k in a if k.startswith("on")]
    text = "".join(p.data)
    assert EVIL_NAME in text and EVIL_MESSAGE in text and "<b>boom</b>" in text
    assert "Week <1> & \"two\"" in text
    assert EVIL_NAME in p.rows  # the attribute survives intact after unescaping
    # a name cannot become a script link; the default link is the URL-quoted NAME.json
    assert not [h for h in p.hrefs if h.lower().lstrip().startswith("javascript:")]
    assert "javascript%3Aalert%281%29.json" in p.hrefs
    assert "%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E%27%26.json" in p.hrefs


def test_custom_details_href_is_used_and_defused():
    page = render_class_report(evil_class(), details_href=lambda name: f"{name}/report.json")
    hrefs = parse(page).hrefs
    assert "ann/report.json" in hrefs
    assert "./javascript:alert(1)/report.json" in hrefs
    assert "javascript:alert(1)/report.json" not in hrefs


def test_page_is_self_contained():
    page = render_class_report(small_class() + [json.load(open(f)) for f in REAL])
    p = parse(page)
    assert not [t for t, a in p.tags if t in ("link", "img", "iframe", "object", "embed")]
    assert not [a for t, a in p.tags if "src" in a]
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "@media print" in page
    assert page.count("<svg") == 4  # histogram, exercises, the tasks' two columns


def test_students_table_and_details():
    reports = small_class() + [student("a b", []), student("a_b", [])]
    p = parse(render_class_report(reports))
    assert p.rows == ["a b", "a_b", "ann", "bob", "cy", "dee", "eve", "zed"]
    assert len(p.ids) == len(set(p.ids))
    details = [i for i in p.ids if i.startswith("student-")]
    assert details == ["student-a_b", "student-a_b-2", "student-ann", "student-bob", "student-cy",
                       "student-dee", "student-eve", "student-zed"]
    # every link to a student's details has its target
    assert {h[1:] for h in p.hrefs if h.startswith("#student-")} == set(details)
    assert "ann.json" in p.hrefs
    # each test of a student is listed with its status and message
    page = render_class_report(small_class())
    bob = page[page.index('id="student-bob"'):page.index('id="student-cy"')]
    assert len(re.findall(r'<tr class="t-\w+"><td>', bob)) == 5 and "tried to end the process" in bob and "s-crashed" in bob


def test_empty_class():
    page = render_class_report([])
    p = parse(page)
    assert "No submissions in this batch." in page
    assert "<svg" not in page and p.rows == []
    assert "<title>Class report</title>" in page


def test_real_reports_render():
    reports = [json.load(open(f)) for f in REAL]
    page = render_class_report(reports)
    p = parse(page)
    assert p.rows == ["real_crash", "real_partial"]
    statuses = {(r["student"], r["status"]) for r in problem_rows(reports)}
    assert statuses == {("real_crash", "crashed"), ("real_crash", "import_error"),
                        ("real_crash", "forbidden")}
    tasks = {t["task"]: t for t in group_failures(reports)}
    assert tasks["swap_last_two"]["groups"][0]["tests"] == 2  # two inputs, one mistake
    assert "Tensor &lt;-&gt; NumPy" in page and "Tensor <-> NumPy" not in page


# -------------------------------------------------------------------------- the page in a browser
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium, chromium-browser or "
                                                             "google-chrome on PATH")


def chromium(*args, url):
    """Run headless Chromium on a page; its stdout, and the console messages it logged."""
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--enable-logging=stderr", "--v=0", *args, url],
        capture_output=True, text=True, timeout=20)
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console


def js_errors(console):
    return [line for line in console if "Uncaught" in line]


@needs_chromium
def test_browser_catches_a_js_error(tmp_path):
    """The check the next test relies on: a page that throws is seen to throw."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>nope();</script></body></html>")
    _, console = chromium("--dump-dom", url=page.as_uri())
    assert js_errors(console), console


@needs_chromium
def test_browser_renders_and_sorts(tmp_path):
    from PIL import Image, ImageStat

    reports = evil_class() + [json.load(open(f)) for f in REAL]
    page = tmp_path / "report.html"
    page.write_text(render_class_report(reports, title="Browser check"), encoding="utf-8")

    png = tmp_path / "out.png"
    _, console = chromium(f"--screenshot={png}", "--window-size=1280,2000", url=page.as_uri())
    assert not js_errors(console), console
    assert png.exists() and png.stat().st_size > 20_000
    with Image.open(png) as im:
        assert im.size == (1280, 2000)
        rgb = im.convert("RGB")
        assert max(ImageStat.Stat(rgb).stddev) > 20  # not a blank page
        colours = rgb.resize((320, 500)).getcolors(maxcolors=100_000)
        assert colours is not None and len(colours) > 50  # text, charts, badges

    # The same page, with the "%" column's title clicked once by a line of script appended.
    clicked = tmp_path / "clicked.html"
    click = ("<script>Array.from(document.querySelectorAll('#students th button'))"
             ".find(function (b) { return b.textContent === '%'; }).click();</script>")
    clicked.write_text(page.read_text(encoding="utf-8").replace("</body>", click + "</body>"),
                       encoding="utf-8")
    dom, console = chromium("--dump-dom", url=clicked.as_uri())
    assert not js_errors(console), console
    p = parse(dom)
    assert "Browser check" in dom
    assert ("table", {"id": "students", "class": "sortable"}) in p.tags  # our script ran
    pct = {report_html.student_name(r, i): (r.get("percentage") if report_html.is_graded(r) else -1)
           for i, r in enumerate(reports)}
    assert sorted(p.rows) == sorted(pct) and len(p.rows) == 8
    assert [pct[name] for name in p.rows] == sorted(pct.values())  # ascending by percentage
    assert p.rows[0] == "zed"  # not graded sorts first
    assert EVIL_NAME in p.rows
    assert [a.get("aria-sort") for t, a in p.tags if t == "th" and a.get("aria-sort")] == ["ascending"]


# ------------------------------------------------------------------ not started vs tried and failed
def stubs(name):
    """A submission handed in untouched: every test hits a stub's NotImplementedError."""
    return student(name, [
        exercise("shapes", [case("swap_last_two", "not_implemented", "swap_last_two is not implemented yet",
                                 n=k) for k in range(2)] + [case("squeeze", "not_implemented")]),
        exercise("numpy", [case("to_numpy", "not_implemented")])])


def class_with_untouched():
    """Three untouched submissions beside two who worked. swap_last_two: both tried, one passes;
    squeeze: both tried, both pass; to_numpy: only pia tried, and fails."""
    pia = student("pia", [
        exercise("shapes", [case("swap_last_two", "passed", n=0), case("swap_last_two", "passed", n=1),
                            case("squeeze", "passed")]),
        exercise("numpy", [case("to_numpy", "failed", "to_numpy(t) returned wrong values")])])
    rui = student("rui", [
        exercise("shapes", [case("swap_last_two", "failed", WRONG.format(3, 5, 12, 15, 0.25, -1.5), n=0),
                            case("swap_last_two", "passed", n=1), case("squeeze", "passed")]),
        exercise("numpy", [case("to_numpy", "not_implemented")])])
    return [pia, rui, stubs("sam"), stubs("tao"), stubs("uma")]


def test_untouched_submissions_are_not_started_not_failing():
    reports = class_with_untouched()
    assert [report_html.not_started(r) for r in reports] == [False, False, True, True, True]
    stats = class_stats(reports)
    assert stats["not_started"] == 3
    tasks = stats["tasks"]
    # Over all 5 every task would tie near the bottom (1/5, 2/5, 0/5); over those who tried they differ.
    assert {task: (t["passed"], t["tried"], t["not_started"]) for (_, task), t in tasks.items()} == {
        "swap_last_two": (1, 2, 3), "squeeze": (2, 2, 3), "to_numpy": (0, 1, 4)}
    assert [tasks[k]["rate"] for k in (("shapes", "swap_last_two"), ("shapes", "squeeze"),
                                       ("numpy", "to_numpy"))] == [0.5, 1.0, 0.0]
    # The struggles: hardest first among those who tried; squeeze, passed by all who tried, is not one.
    struggles = group_failures(reports)
    assert [(t["task"], t["failing"], t["tried"], t["not_started"]) for t in struggles] == [
        ("to_numpy", 1, 1, 4), ("swap_last_two", 1, 2, 3)]
    assert [g["status"] for t in struggles for g in t["groups"]] == ["failed", "failed"]  # no stub message
    # The untouched submissions are problems; a student who left one task a stub (rui) is not.
    rows = problem_rows(reports)
    assert [(r["student"], r["status"], r["where"]) for r in rows] == [
        ("sam", "not_started", "(whole submission)"), ("tao", "not_started", "(whole submission)"),
        ("uma", "not_started", "(whole submission)")]

    page = render_class_report(reports)
    problems = page[page.index('id="problems"'):page.index('id="students-section"')]
    assert problems.count('class="badge s-not_started">not started<') == 3
    assert "the stubs handed in untouched" in problems
    struggles_html = page[page.index('id="struggles"'):page.index('id="problems"')]
    order = re.findall(r'<div class="struggle"><h3><code>([\w.]+)</code>', struggles_html)
    assert order == ["numpy.to_numpy", "shapes.swap_last_two"]
    assert "1 of 1 who tried fail" in struggles_html and "4 not started" in struggles_html
    assert "5 submissions: 5 graded (3 of them not started)." in page
    students = page[page.index('id="students"'):page.index('id="details"')]
    tao = students[students.index('data-student="tao"'):]
    assert 'class="badge s-not_started">not started<' in tao[:tao.index("</tr>")]
