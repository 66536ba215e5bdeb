"""Static detection of forbidden calls (the trusted side reads the source, never runs it)."""

import pytest

from grader import course
from grader.judge import forbidden

COURSE = course.find()
CE = COURSE.by_name()["losses"].task("cross_entropy").forbidden
NUMPY_ONLY = ["torch"]


@pytest.mark.parametrize("source", [
    "import torch.nn.functional as F\ndef cross_entropy(x, t):\n    return F.cross_entropy(x, t)\n",
    "from torch.nn.functional import log_softmax as ls\ndef cross_entropy(x, t):\n    return ls(x, 1)\n",
    "import torch\ndef cross_entropy(x, t):\n    return -x.log_softmax(1)[range(len(t)), t].mean()\n",
    "import torch.nn.functional as F\ndef cross_entropy(x, t):\n    f = getattr(F, 'log_' + 'softmax')\n    return f(x, 1)\n",
    "import torch\ndef helper(x):\n    return torch.logsumexp(x, 1)\ndef cross_entropy(x, t):\n    return helper(x)\n",
    "import torch\ndef cross_entropy(x, t):\n    return torch.nn.CrossEntropyLoss()(x, t)\n",
    "import torch\nF = torch.nn.functional\ndef cross_entropy(x, t):\n    return F.nll_loss(x, t)\n",
    "import torch\ndef cross_entropy(x, t):\n    return getattr(torch, ''.join(['soft', 'max']))(x, 1)\n",
])
def test_forbidden_routes_are_found(source):
    hits = forbidden.find(source, "cross_entropy", CE)
    assert hits, source
    assert "cross_entropy uses" in forbidden.describe("cross_entropy", hits)


@pytest.mark.parametrize("source", [
    # the manual way, and a helper named like a forbidden function but written by the student
    "import torch\ndef cross_entropy(x, t):\n    m = x.max(1, keepdim=True).values\n"
    "    lse = m.squeeze(1) + torch.log(torch.exp(x - m).sum(1))\n"
    "    return (lse - x[torch.arange(len(t)), t]).mean()\n",
    "import torch\ndef my_softmax(x):\n    e = torch.exp(x - x.max())\n    return e / e.sum()\n"
    "def cross_entropy(x, t):\n    return my_softmax(x)\n",
    # forbidden calls in another task do not count against this one
    "import torch.nn.functional as F\ndef other(x):\n    return F.softmax(x, 1)\n"
    "def cross_entropy(x, t):\n    return x.sum()\n",
    "def cross_entropy(x, t):\n    raise NotImplementedError('cross_entropy is not implemented yet')\n",
])
def test_honest_code_is_not_flagged(source):
    assert forbidden.find(source, "cross_entropy", CE) == []


def test_numpy_only_tasks_flag_any_torch():
    source = ("import numpy as np\nimport torch\n"
              "def softmax_np(x, axis=-1):\n    return torch.softmax(torch.from_numpy(x), axis).numpy()\n")
    assert forbidden.find(source, "softmax_np", NUMPY_ONLY)
    honest = ("import numpy as np\nimport torch\n"
              "def softmax_np(x, axis=-1):\n    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
              "    return e / e.sum(axis=axis, keepdims=True)\n"
              "def cross_entropy(x, t):\n    return torch.zeros(())\n")
    assert forbidden.find(honest, "softmax_np", NUMPY_ONLY) == []


def test_every_manifest_forbidden_name_resolves_to_a_torch_object():
    from grader.audit.core import resolve
    for ex in COURSE.exercises:
        for task in ex.tasks:
            for name in task.forbidden:
                if name != "torch":
                    assert resolve(name) is not None, name
