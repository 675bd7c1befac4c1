"""Every status in the project changes through the transition kernel
(``socialshop/states.py``): no other code assigns a status or state, calls
``.update(status=…)`` / ``.update(state=…)``, ``setattr``s one or lists one in
``bulk_update``. The project's code is read as Python syntax trees (tests
and migrations aside, which build worlds and schemas, not moves)."""

import ast
from pathlib import Path

import pytest

from socialshop.tests.codescan import ROOT, constant_strings, project_python_files

KERNEL = Path("socialshop/states.py")
# the columns that hold a state machine's state (PayoutItem's is ``outcome``)
STATE_FIELDS = frozenset({"status", "state", "outcome"})

# (file, function): writes that are not a move of ours, each with its reason
ALLOWED = {
    # the sandbox payment gateway's own books (SandboxCharge): it plays the external provider, whose
    # charge state is the fake gateway's, not the platform's; ours (the payment session) moves on its callback
    ("sandbox/payments.py", "sandbox_charge_finish"),
    # the sandbox closes its own charge when the platform asks it to (PaymentProvider.payment_close)
    ("sandbox/payments.py", "payment_close"),
}
# folders whose every state is not ours: the fake WeChat Pay and Alipay keep their own trades and refunds
ALLOWED_FOLDERS = ("sandbox/fakes/",)


class _StateWrites(ast.NodeVisitor):
    """Finds the writes of a state outside the kernel, with the function they are in."""

    def __init__(self):
        self.found: list[tuple[int, str, str]] = []  # (line, function, what)
        self.function = "<module>"

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def _targets(self, targets, line):
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Attribute) and node.attr in STATE_FIELDS and isinstance(node.ctx, ast.Store):
                    self.found.append((line, self.function, f".{node.attr} ="))

    def visit_Assign(self, node):
        self._targets(node.targets, node.lineno)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._targets([node.target], node.lineno)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._targets([node.target], node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "update":
            for keyword in node.keywords:
                if keyword.arg in STATE_FIELDS:
                    self.found.append((node.lineno, self.function, f".update({keyword.arg}=…)"))
                if keyword.arg is None and STATE_FIELDS & constant_strings(keyword.value):  # update(**{"status": …})
                    self.found.append((node.lineno, self.function, ".update(**{state: …})"))
        if name == "bulk_update" and STATE_FIELDS & set().union(*map(constant_strings, node.args[1:])):
            self.found.append((node.lineno, self.function, "bulk_update of a state"))
        if name == "setattr" and len(node.args) >= 2 and STATE_FIELDS & constant_strings(node.args[1]):
            self.found.append((node.lineno, self.function, "setattr of a state"))
        self.generic_visit(node)


def _state_writes(relative: Path, root: Path = ROOT) -> list[str]:
    visitor = _StateWrites()
    visitor.visit(ast.parse((root / relative).read_text(), filename=str(relative)))
    return [
        f"{relative}:{line} in {function}(): {what}"
        for line, function, what in visitor.found
        if (relative.as_posix(), function) not in ALLOWED and not relative.as_posix().startswith(ALLOWED_FOLDERS)
    ]


def test_no_code_outside_the_kernel_writes_a_state():
    files = project_python_files(owner=KERNEL)
    assert len(files) > 100  # the scan reads the project, not an empty folder

    writes = [write for relative in files for write in _state_writes(relative)]

    assert writes == [], "states change only through socialshop/states.py:\n" + "\n".join(writes)


def test_every_allowed_write_still_exists():
    """An allow-list entry whose write is gone is removed, not kept as a hole."""
    for path, function in ALLOWED:
        visitor = _StateWrites()
        visitor.visit(ast.parse((ROOT / path).read_text()))
        assert any(found == function for _line, found, _what in visitor.found), (path, function)


@pytest.mark.parametrize(
    "source",
    [
        "def move(shop):\n    shop.status = 'closed'\n",
        "def move(rows):\n    rows.update(state='settled')\n",
        "def move(rows):\n    rows.filter(pk=1).update(status='done', finished_at=None)\n",
        "def move(rows):\n    rows.update(**{'status': 'done'})\n",
        "def move(item):\n    setattr(item, 'outcome', 'paid')\n",
        "def move(rows):\n    Model.objects.bulk_update(rows, ['amount', 'state'])\n",
        "def move(a, b):\n    a.status, b.status = 'x', 'y'\n",
    ],
)
def test_the_scan_finds_each_way_of_writing_a_state(source, tmp_path):
    (tmp_path / "app.py").write_text(source)

    assert _state_writes(Path("app.py"), root=tmp_path)


def test_the_scan_leaves_reads_and_filters_alone(tmp_path):
    (tmp_path / "app.py").write_text(
        "def read(rows, shop):\n"
        "    rows.filter(status='open').update(claimed_until=None)\n"
        "    status = shop.status\n"
        "    return Response(body, status=409)\n"
    )

    assert _state_writes(Path("app.py"), root=tmp_path) == []
