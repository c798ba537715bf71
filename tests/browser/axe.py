"""axe-core in the browser suite: the WCAG 2.1 A and AA rules run on a page as it stands, and
any serious or critical violation fails the test.

axe-core comes from PyPI (`axe-playwright-python`, a dev dependency in the lock file, which
ships `axe.min.js`), so it is installed by `make setup` and runs offline. It is evaluated in
the page through Playwright (DevTools), which the page's Content-Security-Policy does not
govern: the pages are checked under their own policy, as users get them."""

from pathlib import Path

import axe_playwright_python

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

RUN = """(tags) => axe.run(document, {
  runOnly: { type: "tag", values: tags },
  resultTypes: ["violations"],
}).then((results) => results.violations.map((violation) => ({
  id: violation.id,
  impact: violation.impact,
  help: violation.help,
  nodes: violation.nodes.map((node) => ({
    target: node.target.join(" "),
    summary: node.failureSummary,
  })),
})))"""


def axe_violations(page) -> list[dict]:
    """The WCAG 2.1 AA violations axe-core finds on the page, serious and critical only."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(RUN, WCAG_21_AA)
    return [violation for violation in violations if violation["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(node["summary"].split("\n")[1:3])  # the first reasons
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """No serious or critical WCAG 2.1 AA violation on the page as it stands."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"
