"""Candidate reductions keep exactly what their definitions keep (issue 5 made them faster)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from designer.model.media import Medium, media_options, pareto_media


def pairwise_pareto(options: list[Medium]) -> list[Medium]:
    """The definition, pair by pair: drop a medium another with the same cages beats (ties
    keep the first)."""
    def dominates(a: Medium, b: Medium) -> bool:
        return (a.cage1 == b.cage1 and a.cage2 == b.cage2 and a.reach_m >= b.reach_m
                and a.protocol in (None, b.protocol)
                and a.per_unit1_usd <= b.per_unit1_usd and a.per_unit2_usd <= b.per_unit2_usd
                and a.per_link_usd <= b.per_link_usd)

    return [option for i, option in enumerate(options)
            if not any(dominates(other, option) and (not dominates(option, other) or j < i)
                       for j, other in enumerate(options) if j != i)]


media = st.builds(
    Medium, cage1=st.sampled_from([1, 2]), cage2=st.sampled_from([1, 2]),
    reach_m=st.sampled_from([2.0, 5.0, 30.0, 100.0]),
    protocol=st.sampled_from([None, "infiniband", "ethernet"]),
    per_unit1_usd=st.sampled_from([0.0, 10.0, 20.0]),
    per_unit2_usd=st.sampled_from([0.0, 10.0, 20.0]),
    per_link_usd=st.sampled_from([0.0, 5.0, 7.0]))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(media, max_size=30))
def test_pareto_media_equals_pairwise_definition(options):
    assert pareto_media(options) == pairwise_pareto(options)


def test_pareto_media_on_shipped_catalogs(shipped_catalog):
    for speed_gbps in (100, 400, 800):
        options = media_options(shipped_catalog, speed_gbps, {1, 2, 4, 8})
        assert pareto_media(options) == pairwise_pareto(options)
