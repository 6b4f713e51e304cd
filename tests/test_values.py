"""Typed finding values: every built-in probe declares its shape, undeclared keys are caught, and renderers find
what to draw by shape rather than by probe id."""

from __future__ import annotations

from dd_evidence.model import Finding, Outcome
from dd_evidence.registry import load_probes
from dd_evidence.values import SeatsByOrganisation, declared_keys, first_with_shape, has_shape, undeclared_keys


def test_every_built_in_probe_declares_the_shape_of_its_values() -> None:
    probes = load_probes([]).probes
    assert probes
    undeclared = [p.spec.id for p in probes if p.values_type is None]
    assert undeclared == []


def test_one_spelling_per_key_across_probes() -> None:
    keys = {k for p in load_probes([]).probes if p.values_type for k in declared_keys(p.values_type)}
    american = sorted(k for k in keys if "organization" in k)
    assert american == []


def test_undeclared_keys_are_named() -> None:
    probes = {p.spec.id: p for p in load_probes([]).probes}
    diversity = probes["maintainers.org_diversity"].values_type
    assert "by_org" in declared_keys(diversity)  # declared by the shared shape it extends
    assert undeclared_keys(diversity, {"by_org": {}, "organisations": 2, "unreadable_repos": []}) == []
    assert undeclared_keys(diversity, {"by_org": {}, "organizations": 2}) == ["organizations"]
    assert undeclared_keys(None, {"anything": 1}) == []


def test_a_third_party_finding_of_the_same_shape_is_drawn_too() -> None:
    undecided = Finding("acme.seats", "acme", Outcome.NOT_AVAILABLE, "n/a", values={"by_org": {"X": 1}})
    decided = Finding("acme.seats", "acme", Outcome.TRUE, "ok", values={"by_org": {"Y": 2}, "maintainers": 2})
    other = Finding("acme.other", "acme", Outcome.TRUE, "ok", values={"count": 3})
    assert not has_shape(other.values, SeatsByOrganisation)
    assert first_with_shape([other, undecided, decided], SeatsByOrganisation) == decided.values
    assert first_with_shape([other], SeatsByOrganisation) is None
