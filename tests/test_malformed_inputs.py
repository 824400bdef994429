"""Bad input never crashes: every malformed catalog or demand exits 1 with one clean headline.

Each file in ``tests/malformed/`` is named for what is wrong with it and has one row in
``CASES``: the key path its headline must name (``None`` where there is none, e.g. a file that
is not YAML at all, whose headline gives a line instead) and what the headline must say. Each is
run through ``design validate FILE`` and through the main job: a demand as ``design FILE -o OUT``,
a catalog as ``design examples/lab-16.yaml --catalog FILE -o OUT``. Every run must exit 1, print
exactly one ``error:`` headline on stderr naming the file, print no traceback, and leave no OUT.
Cases that need a file too large or too odd to commit are made at test time, further down.
``tests/malformed/parts/`` holds valid pieces that some cases combine.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT

from designer.cli import main
from designer.design import check_references
from designer.errors import InputError
from designer.inputs.loading import MAX_INPUT_BYTES, demand_catalogs, load_catalog, load_demand

MALFORMED = Path(__file__).resolve().parent / "malformed"
PARTS = MALFORMED / "parts"
LAB = ROOT / "examples" / "lab-16.yaml"


@dataclass(frozen=True)
class Case:
    file: str
    key: str | None  # the key path the headline names; None where no key path applies
    says: str | None  # what the headline says is wrong
    forms: tuple[str, ...] = ("validate", "run")
    names: str | None = None  # the file the headline names, when it is not this one


CASES = [
    # Not a usable YAML mapping at all.
    Case("catalog-empty.yaml", None, "file is empty"),
    Case("catalog-only-comments.yaml", None, "file is empty"),
    Case("catalog-not-yaml.yaml", None, "line 3: not valid YAML"),
    Case("catalog-top-level-list.yaml", None, "top level must be a mapping of keys, got list"),
    Case("catalog-top-level-scalar.yaml", None, "top level must be a mapping of keys, got str"),
    Case("catalog-top-level-number.yaml", None, "top level must be a mapping of keys, got int"),
    Case("catalog-tab-indented.yaml", None, "line 2: not valid YAML: found character '\\t'"),
    Case("catalog-multiple-documents.yaml", None, "expected a single document"),
    Case("catalog-undefined-alias.yaml", None, "found undefined alias 'nowhere'"),
    Case("catalog-python-object-tag.yaml", None, "could not determine a constructor"),
    Case("catalog-nul-byte.yaml", None, "unacceptable character #x0000"),
    Case("catalog-bad-merge-key.yaml", None, "expected a mapping or list of mappings for merging"),
    Case("catalog-binary-garbage.yaml", None, "not UTF-8 text"),
    Case("catalog-utf16.yaml", None, "not UTF-8 text (byte 0xff at offset 0)"),
    Case("catalog-bad-explicit-int-tag.yaml", None, "'sixty-four' is not a valid int"),
    Case("catalog-bad-explicit-timestamp-tag.yaml", None,
         "'last-tuesday' is not a valid timestamp"),
    # Built to exhaust time or memory.
    Case("catalog-billion-laughs.yaml", None, "aliases expand the document to more than 10 MiB"),
    Case("catalog-too-many-aliases.yaml", None, "more than 200 YAML aliases"),
    Case("catalog-alias-cycle.yaml", None, "an alias refers to a node that contains it"),
    Case("catalog-deep-nesting.yaml", None, "nested more than 64 levels deep"),
    Case("catalog-number-too-long.yaml", None, "line 5: not valid YAML: a number longer than"),
    # Wrong shapes and types.
    Case("catalog-switches-not-a-list.yaml", "switches", "must be a list"),
    Case("catalog-switch-not-a-mapping.yaml", "switches[0]", "must be a mapping of keys"),
    Case("catalog-switch-is-null.yaml", "switches[0]", "must be a mapping of keys, got None"),
    Case("catalog-ports-is-text.yaml", "switches[0].ports", "must be a whole number, got '64'"),
    Case("catalog-ports-is-fraction.yaml", "switches[0].ports", "must be a whole number"),
    Case("catalog-ports-is-bool.yaml", "switches[0].ports", "must be a whole number, got True"),
    Case("catalog-model-is-number.yaml", "switches[0].model", "must be text, got 9700"),
    Case("catalog-bad-protocol.yaml", "switches[0].protocol", "must be one of"),
    # Numbers out of range: NaN, infinities, negative, zero, overflowing.
    Case("catalog-price-nan.yaml", "switches[0].price_usd", "must be a finite number, got nan"),
    Case("catalog-price-inf.yaml", "switches[0].price_usd", "must be a finite number, got inf"),
    Case("catalog-price-huge-overflows-to-inf.yaml", "switches[0].price_usd",
         "must be a finite number"),
    Case("catalog-price-negative.yaml", "switches[0].price_usd", "must be > 0"),
    Case("catalog-ports-zero.yaml", "switches[0].ports", "must be > 0"),
    Case("catalog-power-negative.yaml", "switches[0].power_w", "must be >= 0"),
    Case("catalog-transceiver-negative-reach.yaml", "transceivers[0].reach_m", "must be > 0"),
    # Keys: missing, unknown (with a suggestion), look-alike, long, odd, duplicated.
    Case("catalog-missing-price.yaml", "switches[0].price_usd", "required key is missing"),
    Case("catalog-unknown-key-typo.yaml", "switches[0].prize_usd",
         "unknown key (did you mean 'price_usd'?)"),
    Case("catalog-unknown-top-level-key.yaml", "switchs",
         "unknown key (did you mean 'switches'?)"),
    Case("catalog-unicode-lookalike-key.yaml", "switches[0]['port_sp\\u0435ed_gbps']",
         "unknown key (did you mean 'port_speed_gbps'?)"),
    Case("catalog-very-long-key.yaml", "switches[0]['kkkkkkkk", "...]: unknown key"),
    Case("catalog-newline-in-key.yaml", "switches[0]['price\\nusd']", "unknown key"),
    Case("catalog-duplicate-yaml-key.yaml", "switches[0].ports", "duplicate key (lines 3 and 6"),
    # Records that contradict each other or themselves.
    Case("catalog-duplicate-model.yaml", "switches[1].model", "duplicate model 'SW64'"),
    Case("catalog-duplicate-model-across-kinds.yaml", "nics[0].model", "duplicate model 'SW64'"),
    Case("catalog-breakout-does-not-divide.yaml", "switches[0]",
         "breakout[0]: 2 x 300G per cage does not divide the 400G cage bandwidth"),
    Case("catalog-harness-without-leg-connector.yaml", "cables[0]",
         "a harness needs links (2 or more legs), connector and leg_connector"),
    Case("catalog-connectors-do-not-divide-ports.yaml", "transceivers[0]",
         "connectors: 3 does not divide the module's 4 ports"),
    Case("catalog-unknown-connector.yaml", "transceivers[0].connector",
         "must be one of 'MPO-12/APC', 'MPO-12/UPC', 'MPO-16/APC' or 'LC/UPC', got 'MPO-12'"),
    Case("catalog-breakout-ports-not-multiple.yaml", "switches[0]",
         "breakout[0].ports: 100 is not a multiple of the 64 cages"),
    Case("catalog-ports-not-multiple-of-cage.yaml", "switches[0]",
         "ports: 64 is not a multiple of ports_per_cage 3"),
    Case("catalog-fiber-cable-without-fiber-type.yaml", "cables[0]",
         "a fiber cable must say mmf or smf"),
    Case("catalog-unknown-cage-form-factor.yaml", "switches[0].cage.form_factor",
         "must be one of 'OSFP', 'QSFP-DD', 'QSFP112', 'QSFP56' or 'QSFP28', got 'OSFP-XD'"),
    Case("catalog-fiber-with-cage-facts.yaml", "cables[0]",
         "form_factor: a fiber cable plugs into no cage"),
    Case("catalog-server-splits-a-cage.yaml", "servers[0]",
         "backend_ports: 7 is not a multiple of backend_ports_per_cage 2"),
    # Licences and support plans.
    Case("catalog-license-covers-a-transceiver.yaml", "licenses[0].covers",
         "a licence covers switches (a vendor's are the switches it sells), not transceivers"),
    Case("catalog-license-term-without-yearly.yaml", "licenses[0]",
         "years: a term is for a yearly licence"),
    Case("catalog-support-covers-two-targets.yaml", "support[0].covers",
         "covers names exactly one of vendor, kind or model, got vendor, kind"),
    Case("catalog-support-model-is-a-part.yaml", "support[0].model", "duplicate model 'SW64'"),
    Case("catalog-support-covers-unknown-vendor.yaml", "support[0].covers.vendor",
         "no catalog part is sold by 'Acmee' (did you mean 'Acme'?)"),
    Case("catalog-support-percent-over-100.yaml", "support[0].percent_of_list",
         "must be <= 100"),
    Case("catalog-quote-price-without-currency.yaml", None,
         "overrides[0].price: a price in the file's currency needs the file's `currency: "
         "{code, per_usd}` (or give price_usd)"),
    Case("catalog-quote-two-prices.yaml", "overrides[0]",
         "give price (in the file's currency) or price_usd, not both"),
    # Demands: unusable files.
    Case("demand-empty.yaml", None, "file is empty"),
    Case("demand-top-level-list.yaml", None, "top level must be a mapping of keys, got list"),
    Case("demand-tab-indented.yaml", None, "line 2: not valid YAML"),
    # `validate` reads a file without `fabrics:` as a catalog, so only the main job names it.
    Case("demand-no-fabrics.yaml", "fabrics", "required key is missing", forms=("run",)),
    Case("demand-fabrics-empty.yaml", "fabrics", "must list at least 1 item(s), got 0"),
    # One kind of file where the other goes (`validate` tells them apart itself).
    Case("demand-is-a-catalog.yaml", None, "is a catalog (it lists switches), not a demand",
         forms=("run",)),
    Case("catalog-is-a-demand.yaml", None, "is a demand (it has 'fabrics:'), not a catalog",
         forms=("run",)),
    Case("demand-catalog-name-with-suffix.yaml", "catalogs[0]",
         "the shipped catalog is named 'nvidia-infiniband'"),
    Case("demand-fabric-not-a-mapping.yaml", "fabrics[0]", "must be a mapping of keys"),
    # Demands: zero, negative, huge, NaN, infinite and mistyped quantities.
    Case("demand-zero-nodes.yaml", "fabrics[0].nodes", "must be > 0"),
    Case("demand-negative-nodes.yaml", "fabrics[0].nodes", "must be > 0"),
    Case("demand-zero-gpus-per-node.yaml", "fabrics[0].endpoints_per_node", "must be > 0"),
    Case("demand-nodes-huge.yaml", "fabrics[0].nodes", "must be <= 1e+07"),
    Case("demand-nodes-is-text.yaml", "fabrics[0].nodes", "must be a whole number"),
    Case("demand-port-speed-nan.yaml", "fabrics[0].port_speed_gbps", "must be a finite number"),
    Case("demand-oversubscription-inf.yaml", "fabrics[0].max_oversubscription",
         "must be a finite number"),
    Case("demand-port-speed-with-unit.yaml", "fabrics[0].port_speed_gbps",
         "must be a finite number, got '400G' (write 400: the key's name gives the unit)"),
    Case("demand-oversubscription-as-ratio.yaml", "fabrics[0].max_oversubscription",
         "must be a finite number, got '4:1' (write 4 for 4:1)"),
    Case("demand-currency-code-lowercase.yaml", "currency.code",
         "must be a currency's three-letter ISO 4217 code in capitals (EUR, GBP, JPY)"),
    Case("demand-currency-dollar-rate.yaml", "currency",
         "per_usd: a US dollar buys one US dollar, not 0.92 (name the currency"),
    Case("demand-currency-rate-as-text.yaml", "currency.per_usd",
         "must be a finite number, got '0.92 EUR/USD' (write 0.92: the key's name gives the "
         "unit)"),
    Case("demand-nodes-quoted.yaml", "fabrics[0].nodes",
         "must be a whole number, got '16' (write 16, without quotes)"),
    Case("demand-max-hops-zero.yaml", "fabrics[0].max_switch_hops", "must be >= 1"),
    Case("demand-site-negative-pitch.yaml", "site.rack_pitch_m", "must be > 0"),
    Case("demand-site-hall-power-without-rack-power.yaml", "site",
         "hall_power_kw needs rack_power_kw"),
    Case("demand-site-hall-power-below-a-row.yaml", "site",
         "hall_power_kw: 500 does not feed one row of 16 racks at 40 kW (640 kW); fix: "
         "hall_power_kw: 640 or more"),
    # Demands: keys and names.
    Case("demand-unknown-key-typo.yaml", "fabrics[0].endpoints_per_nod",
         "unknown key (did you mean 'endpoints_per_node'?)"),
    Case("demand-site-unknown-key.yaml", "site.rack_pich_m",
         "unknown key (did you mean 'rack_pitch_m'?)"),
    Case("demand-unknown-layout.yaml", "fabrics[0].layout", "must be one of"),
    Case("demand-rail-only-without-forwarding.yaml", "fabrics[0]",
         "rail-only needs node_forwarding: true"),
    Case("demand-duplicate-yaml-key.yaml", "fabrics[0].nodes", "duplicate key (lines 4 and 7"),
    Case("demand-fabric-name-unicode.yaml", "fabrics[0].name",
         "must start with a letter or digit and hold only letters"),
    Case("demand-fabric-name-too-long.yaml", "fabrics[0].name", "at most 64 characters"),
    # schema.py reports this at the top level; `fabrics[1].name` would be the better key path.
    Case("demand-duplicate-fabric-names.yaml", None, "fabric names must be unique: compute"),
    Case("demand-switch-models-empty.yaml", "fabrics[0].switch_models",
         "must list at least one model"),
    # Demands: references to models and catalogs that do not exist.
    Case("demand-unknown-switch-model.yaml", "fabrics[0].switch_models[0]",
         "unknown model 'MQM9700-NS2G' (did you mean 'MQM9700-NS2F'?)"),
    Case("demand-unknown-nic-model.yaml", "fabrics[0].nic_models[0]",
         "unknown model 'ConnectX-9'"),
    Case("demand-unknown-server-model.yaml", "fabrics[0].server",
         "unknown model 'DGX-H100' (did you mean 'DGX H100'?)"),
    Case("demand-on-board-nic-in-no-catalog.yaml", "fabrics[0].server",
         "DGX H100 has 'MCX755106AS-HEAT' on board behind its frontend ports, in none of the "
         "catalogs (nvidia-infiniband.yaml (shipped)); fix: add the shipped catalog "
         "frontend-ethernet (it lists MCX755106AS-HEAT)"),
    Case("demand-on-board-nic-too-slow.yaml", "fabrics[0].server",
         "MCX755106AS-HEAT (2 x 200G) is slower than the fabric's 400G; fix: "
         "port_speed_gbps: 200"),
    Case("demand-on-board-nic-left-out.yaml", "fabrics[0].server",
         "nic_models leaves MCX75310AAS-NEAT out; fix: add MCX75310AAS-NEAT to nic_models "
         "(or drop nic_models) or add the shipped catalog ai-ethernet"),
    Case("demand-on-board-nic-other-protocol.yaml", "fabrics[0].server",
         "MCX75310AAS-NEAT speaks infiniband only, the fabric asks ethernet; fix: protocol: "
         "infiniband (or any) or add the shipped catalog ai-ethernet (it lists "
         "MCX715105AS-WEAT)"),
    Case("demand-catalogs-not-a-list.yaml", "catalogs", "must be a list"),
    Case("demand-catalogs-empty.yaml", "catalogs", "must list at least one catalog"),
    Case("demand-missing-catalog-file.yaml", "catalogs[0]",
         "no such catalog file '" + str(MALFORMED / "no-such-catalog.yaml")),
    Case("demand-unknown-shipped-catalog.yaml", "catalogs[0]",
         "unknown shipped catalog 'nvidia-infiniban' (did you mean 'nvidia-infiniband'?)"),
    Case("demand-catalog-is-a-folder.yaml", "catalogs[0]", "is a folder, not a catalog file"),
    Case("demand-catalog-listed-twice.yaml", "catalogs[1]", "'nvidia-infiniband' is listed twice"),
    Case("demand-catalog-path-nul-byte.yaml", "catalogs[0]", "no such catalog file"),
    # The bad file is the catalog the demand names, so the headline names that catalog.
    Case("demand-bad-catalog-file.yaml", "switches[0].price_usd", "must be a finite number",
         names="catalog-price-nan.yaml"),
    Case("demand-duplicate-model-across-catalogs.yaml", "switches[0].model",
         "duplicate model 'SW64' (also defined at " + str(PARTS / "switch-a.yaml"),
         names="switch-a-again.yaml"),
    Case("catalog-model-name-very-long.yaml", "switches[0].model",
         "must be at most 128 characters long"),
    Case("catalog-model-name-with-newline.yaml", "switches[0].model",
         "must be printable text (no control characters"),
    Case("catalog-ports-huge.yaml", "switches[0].ports", "must be <= 4096"),
    Case("demand-newline-in-model-name.yaml", "fabrics[0].switch_models[0]",
         "must be printable text (no control characters"),
]


def design(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@functools.cache
def api_problems(path: Path) -> tuple[str, ...]:
    """The problems the Python API reports for ``path``, the way ``design validate`` checks it."""
    try:
        if path.name.startswith("catalog-"):
            load_catalog([path])
        else:
            demand = load_demand(path)
            check_references(demand, load_catalog(demand_catalogs(demand)))
    except InputError as error:
        return tuple(error.problems)
    return ()


def headline_of(result: Result, out: Path | None = None) -> str:
    """Check the contract for invalid input; return the one ``error:`` headline."""
    shown = f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert result.exit_code == 1, shown
    assert isinstance(result.exception, SystemExit), shown  # not an escaped exception
    assert "Traceback" not in result.stdout + result.stderr, shown
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, shown
    if out is not None:
        assert not out.exists(), f"{out} was left behind\n{shown}"
    return errors[0]


def argv(case: Case, form: str, out: Path) -> list[str | Path]:
    path = MALFORMED / case.file
    if form == "validate":
        return ["validate", path]
    if case.file.startswith("catalog-"):
        return [LAB, "--catalog", path, "-o", out]
    return [path, "-o", out]


RUNS = [pytest.param(case, form, id=f"{case.file.removesuffix('.yaml')}-{form}")
        for case in CASES for form in case.forms]


@pytest.mark.parametrize(("case", "form"), RUNS)
def test_malformed_file_exits_1_with_a_headline(case, form, tmp_path):
    problems = api_problems(MALFORMED / case.file)
    assert problems, f"{case.file} is accepted"
    assert not [p for p in problems if "\n" in p], "a problem spans several lines"
    out = tmp_path / "out"
    headline = headline_of(design(*argv(case, form, out)), out)
    assert headline.startswith(f"error: {problems[0]}")  # the whole first problem, on one line
    assert (case.names or case.file) in headline
    if case.key is not None:
        assert f": {case.key}" in headline
    if case.says is not None:
        assert case.says in headline


def test_every_corpus_file_has_a_case():
    files = {p.name for p in MALFORMED.glob("*.yaml")}
    cases = [c.file for c in CASES]
    assert len(cases) == len(set(cases)), "a file is listed twice"
    assert files == set(cases)
    assert len(cases) >= 40


def test_the_pieces_the_corpus_combines_are_valid_on_their_own():
    for piece in sorted(PARTS.glob("*.yaml")):
        done = design("validate", piece)
        assert done.exit_code == 0, done.stderr


# Cases made at test time: too big to commit, or not a file at all.


@pytest.mark.parametrize("kind", ["catalog", "demand"])
def test_a_50_mb_file_is_refused_unread(kind, tmp_path):
    big = tmp_path / f"{kind}-50mb.yaml"
    with big.open("w") as stream:
        stream.write("switches:\n" if kind == "catalog" else "fabrics:\n")
        line = "  # " + "padding " * 12 + "\n"
        stream.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert big.stat().st_size > 50 * 1024 * 1024 > MAX_INPUT_BYTES
    out = tmp_path / "out"
    for args in (["validate", big], [big, "-o", out], [LAB, "--catalog", big, "-o", out]):
        headline = headline_of(design(*args), out)
        assert big.name in headline and "file is larger than 5 MiB" in headline


def test_a_folder_instead_of_a_file(tmp_path):
    folder = tmp_path / "demand.yaml"
    folder.mkdir()
    out = tmp_path / "out"
    for args in (["validate", folder], [folder, "-o", out], [LAB, "--catalog", folder, "-o", out]):
        headline = headline_of(design(*args), out)
        assert f"{folder}: is a folder, not a file" in headline


def test_missing_files(tmp_path):
    missing = tmp_path / "no-such.yaml"
    out = tmp_path / "out"
    for args in (["validate", missing], [missing, "-o", out],
                 [LAB, "--catalog", missing, "-o", out]):
        headline = headline_of(design(*args), out)
        assert f"{missing}: cannot read" in headline


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_read_no_further_than_the_limit(tmp_path):
    out = tmp_path / "out"
    for args in (["validate", "/dev/zero"], ["/dev/zero", "-o", out]):
        headline = headline_of(design(*args), out)
        assert "/dev/zero: file is larger than 5 MiB" in headline


def test_duplicate_model_across_catalog_options(tmp_path):
    one, two = PARTS / "switch-a.yaml", PARTS / "switch-a-again.yaml"
    out = tmp_path / "out"
    headline = headline_of(design(LAB, "--catalog", one, "--catalog", two, "-o", out), out)
    assert headline == (f"error: {two}: switches[0].model: duplicate model 'SW64' "
                        f"(also defined at {one}: switches[0])")


def test_several_problems_give_one_headline_and_one_line_each(tmp_path):
    bad = tmp_path / "several.yaml"
    bad.write_text("switches:\n  - {model: A, ports: 0, port_speed_gbps: .nan, price_usd: -1,"
                   " colour: red}\n")
    done = design("validate", bad)
    assert headline_of(done).endswith("(and 3 more problems)")
    rest = done.stderr.splitlines()[1:]
    assert len(rest) == 3
    assert all(line.startswith(f"  {bad}: switches[0].") for line in rest), rest


@pytest.mark.parametrize("name", ["catalog-binary-garbage.yaml", "catalog-billion-laughs.yaml"])
def test_a_real_process_prints_one_headline_and_no_traceback(name):
    """The same contract end to end, outside click's test runner."""
    done = subprocess.run([sys.executable, "-m", "designer.cli", "validate",
                           str(MALFORMED / name)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"error: {MALFORMED / name}: ")
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr + done.stdout
