"""Candidate reductions keep exactly what their definitions keep (issue 5 made them faster)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from designer.inputs.schema import Cable
from designer.model.media import Medium, media_options, pareto_media


def pairwise_pareto(options: list[Medium]) -> list[Medium]:
    """The definition, pair by pair: drop a medium another with the same cages and plugs beats
    (ties keep the first), comparing link prices at every run on a fine grid."""
    grid = [r / 2 for r in range(0, 201)]

    def dominates(a: Medium, b: Medium) -> bool:
        return (a.cage1 == b.cage1 and a.cage2 == b.cage2 and a.plug1 == b.plug1
                and a.plug2 == b.plug2 and a.reach_m >= b.reach_m
                and a.protocol in (None, b.protocol)
                and a.per_unit1_usd <= b.per_unit1_usd and a.per_unit2_usd <= b.per_unit2_usd
                and all(a.per_link_usd(r) <= b.per_link_usd(r) for r in grid if r <= b.reach_m))

    return [option for i, option in enumerate(options)
            if not any(dominates(other, option) and (not dominates(option, other) or j < i)
                       for j, other in enumerate(options) if j != i)]


CORDS = [Cable(model=f"fiber {reach:g} m ${price:g}", vendor="test", kind="fiber", fiber="mmf",
               port_speed_gbps=400, reach_m=reach, price_usd=price, source="test",
               as_of="2026-01")
         for reach, price in ((2, 5), (5, 7), (10, 9), (30, 12), (30, 9), (100, 20))]


@st.composite
def media(draw) -> Medium:
    cords = tuple(sorted(draw(st.sets(st.sampled_from(range(len(CORDS))), min_size=1,
                                      max_size=3))))
    cords = tuple(CORDS[i] for i in cords)
    reach = min(draw(st.sampled_from([2.0, 5.0, 30.0, 100.0])), max(c.reach_m for c in cords))
    return Medium(cage1=draw(st.sampled_from([1, 2])), cage2=draw(st.sampled_from([1, 2])),
                  reach_m=reach, protocol=draw(st.sampled_from([None, "infiniband",
                                                                "ethernet"])),
                  per_unit1_usd=draw(st.sampled_from([0.0, 10.0, 20.0])),
                  per_unit2_usd=draw(st.sampled_from([0.0, 10.0, 20.0])), cords=cords)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(media(), max_size=30))
def test_pareto_media_equals_pairwise_definition(options):
    assert pareto_media(options) == pairwise_pareto(options)


def test_pareto_media_on_shipped_catalogs(shipped_catalog):
    for speed_gbps in (100, 400, 800):
        for per_run in (False, True):
            options = media_options(shipped_catalog, speed_gbps, {1, 2, 4, 8},
                                    per_run=per_run)
            assert pareto_media(options) == pairwise_pareto(options)
