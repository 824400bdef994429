"""``report.html`` as a browser draws it: headless Chromium lays out the written reports of
several examples, and a script measures the page it drew.

In every diagram (the fabric and floor-plan SVGs) no two text labels overlap, no link line
shows through a label (one may pass behind an opaque strip), no label runs out of the box it
stands in or out of the picture; the page logs no error. The script is put at the top of a
copy of the report, records errors from then on, and on load writes what it measured into the
page, which Chromium's ``--dump-dom`` prints. Chromium is Debian's
``chromium`` package, which ``.ci/run`` installs when it is missing: without it this test
fails, it does not skip.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from conftest import EXAMPLES, solved_example

pytestmark = pytest.mark.slow

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
SHOWN = ("training-1024", "ethernet-2plane-4096", "dgx-superpod-4su", "shared-site-1024")

MEASURE = """<script>
window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message || e.target.src
    || e.target.href || "resource failed")), true);
for (const level of ["error", "warn"]) {
  const original = console[level];
  console[level] = (...args) => { window.__errors.push(args.join(" ")); original(...args); };
}
window.addEventListener("load", () => {
  const found = {overlaps: [], overflows: [], clipped: [], crossed: [], texts: 0};
  const inside = (a, b, slack) => a.left >= b.left - slack && a.right <= b.right + slack
      && a.top >= b.top - slack && a.bottom <= b.bottom + slack;
  document.querySelectorAll("svg").forEach((svg, s) => {
    window.scrollTo(0, 0);  // every box and point below in page coordinates
    const texts = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim())
        .map(t => ({text: t.textContent.trim(), box: t.getBoundingClientRect()}))
        .filter(t => t.box.width > 0);
    found.texts += texts.length;
    const frame = svg.getBoundingClientRect();
    for (const t of texts) if (!inside(t.box, frame, 1)) found.clipped.push([s, t.text]);
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].box, b = texts[j].box;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) found.overlaps.push([s, texts[i].text, texts[j].text]);
      }
    }
    // a link line may pass behind a label only where something opaque hides it there
    const lines = [...svg.querySelectorAll("line")].map(line => {
      const m = line.getScreenCTM();
      return [line,
              new DOMPoint(line.x1.baseVal.value, line.y1.baseVal.value).matrixTransform(m),
              new DOMPoint(line.x2.baseVal.value, line.y2.baseVal.value).matrixTransform(m)];
    });
    const rects = [...svg.querySelectorAll("rect")].map(r => r.getBoundingClientRect())
        .filter(r => r.width > 0 && r.height > 0);
    for (const [line, p1, p2] of lines) {
      for (const t of texts) {
        const b = t.box;  // page coordinates: measured at the top of the page
        for (let k = 1; k < 40; k++) {  // points along the line, the first inside the label
          const x = p1.x + (p2.x - p1.x) * k / 40, y = p1.y + (p2.y - p1.y) * k / 40;
          if (x < b.left || x > b.right || y < b.top || y > b.bottom) continue;
          window.scrollTo(0, Math.max(0, y - 200));  // hit tests see the viewport only
          const stack = document.elementsFromPoint(x, y - window.scrollY);
          const at = stack.indexOf(line);
          const hidden = stack.slice(0, at).some(e => e.tagName === "rect"
              && getComputedStyle(e).fill !== "none");
          if (at >= 0 && !hidden) found.crossed.push([s, t.text]);
          break;
        }
      }
    }
    // a label stands in the smallest rectangle holding its start; it must fit in it whole
    for (const t of texts) {
      const start = {left: t.box.left + 1, right: t.box.left + 1,
                     top: t.box.top + t.box.height / 2, bottom: t.box.top + t.box.height / 2};
      const holders = rects.filter(r => inside(start, r, 0));
      if (!holders.length) continue;
      const home = holders.reduce((a, b) => a.width * a.height <= b.width * b.height ? a : b);
      if (!inside(t.box, home, 1)) found.overflows.push([s, t.text]);
    }
  });
  found.contents = [...document.querySelectorAll("nav.toc a")].map(a => a.textContent);
  found.broken = [...document.querySelectorAll("a[href^='#']")]
      .filter(a => !document.getElementById(a.getAttribute("href").slice(1)))
      .map(a => a.getAttribute("href"));
  found.errors = window.__errors;
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, dict]:
    assert BROWSER, "no chromium: .ci/run installs Debian's chromium package"
    out = {}
    for path in EXAMPLES:
        if path.stem not in SHOWN:
            continue
        folder = tmp_path_factory.mktemp(path.stem) / "out"
        solved_example(path).write(folder)
        html = (folder / "report.html").read_text("utf-8")
        page = folder / "measured.html"
        page.write_text(html.replace("<head>", "<head>" + MEASURE, 1), "utf-8")
        dom = subprocess.run(
            [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=1400,1000", "--virtual-time-budget=5000", "--dump-dom",
             page.as_uri()], capture_output=True, text=True, timeout=120).stdout
        found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
        assert found, f"{path.stem}: the page did not finish loading\n{dom[-2000:]}"
        out[path.stem] = json.loads(found[1].replace("&amp;", "&").replace("&lt;", "<")
                                    .replace("&gt;", ">").replace("&quot;", '"'))
    assert set(out) == set(SHOWN)
    return out


@pytest.mark.parametrize("name", SHOWN)
def test_the_report_draws_without_errors(measured, name):
    assert measured[name]["texts"] > 20  # the diagrams were drawn and measured
    assert measured[name]["errors"] == []


@pytest.mark.parametrize("name", SHOWN)
def test_a_report_of_several_fabrics_has_contents_that_lead_somewhere(measured, name):
    fabrics = len(solved_example(next(p for p in EXAMPLES if p.stem == name)).fabrics)
    contents = measured[name]["contents"]
    if fabrics > 1:
        assert contents[0] == "Summary" and len(contents) >= fabrics + 1
        assert sum(c.startswith("Fabric ") for c in contents) == fabrics
    else:
        assert contents == []
    assert measured[name]["broken"] == []


@pytest.mark.parametrize("name", SHOWN)
def test_no_two_diagram_labels_overlap_and_no_link_line_crosses_one(measured, name):
    assert measured[name]["overlaps"] == []
    assert measured[name]["crossed"] == []


@pytest.mark.parametrize("name", SHOWN)
def test_no_label_runs_out_of_its_box_or_the_picture(measured, name):
    assert measured[name]["overflows"] == []
    assert measured[name]["clipped"] == []
