"""axe-core in the page: WCAG 2.2 AA and best practice, violations listed readably."""
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"]

RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
            target: n.target.join(" "), html: n.html, summary: n.failureSummary,
        })),
    }));
}"""


def assert_accessible(page, label: str = "") -> None:
    """Run axe-core on the page as it is now; fail, listing each violation, if any."""
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE_SCRIPT} is missing). "
            "Run `npm ci --prefix tests/browser`; CI does this before the browser tests.",
            pytrace=False,
        )
    # Evaluated through DevTools, not added as a <script> tag: the app's CSP
    # (script-src 'self') rightly refuses inline scripts and is not relaxed for tests.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
    violations = page.evaluate(RUN_AXE, AXE_TAGS)
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {label or page.url}:"]
        for violation in violations:
            lines.append(
                f"- [{violation['impact']}] {violation['id']}: {violation['help']}"
                f" ({violation['helpUrl']})"
            )
            for node in violation["nodes"]:
                lines.append(f"    at {node['target']}: {node['html'][:200]}")
                lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
        pytest.fail("\n".join(lines), pytrace=False)
