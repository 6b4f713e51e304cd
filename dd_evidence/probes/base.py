"""The probe base class: a yes/no question over the facts a scan context hands it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.scrub import describe
from dd_evidence.sources.assessments import AssessmentsIndex, load_bundled_index

# A probe's run method: (probe, context) -> findings; generic in the probe class so a subclass's ``run`` keeps its
# own ``self`` type through a decorator.
_ProbeT = TypeVar("_ProbeT", bound="Probe")
RunMethod = Callable[[_ProbeT, "ScanContext"], Iterable[Finding]]

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext
    from dd_evidence.facts.documents import Doc
    from dd_evidence.repoview import RepoView


class Probe:
    """Subclass this, set ``spec`` and implement ``run``. Keep ``run`` pure over what ``ctx`` gives you.

    Raising :class:`~dd_evidence.errors.SourceUnavailable` from ``run`` turns into a ``not_available`` finding,
    any other exception into an ``error`` finding: a broken probe never stops a scan.
    """

    spec: ClassVar[ProbeSpec]
    # The shape of this probe's ``Finding.values``: a TypedDict declared next to the probe, one spelling per key.
    # Renderers and other tools read values through these declarations (see :mod:`dd_evidence.values`).
    values_type: ClassVar[type[Mapping[str, Any]] | None] = None

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        raise NotImplementedError

    @property
    def id(self) -> str:
        return self.spec.id

    def finding(
        self,
        subject: str,
        outcome: Outcome | bool,
        message: str,
        values: Mapping[str, Any] | None = None,
        evidence: Iterable[Evidence] = (),
        remedy: str | None = None,
    ) -> Finding:
        """Build a finding of this probe; a bool outcome maps to TRUE/FALSE. ``values`` follow ``values_type``.

        ``remedy`` says what the project should do about this finding, naming the file, line or subject it is
        about ("Add a reporting e-mail address to community/CODE_OF_CONDUCT.md"). Without one, a criterion's TODO
        falls back to ``spec.remediation`` with the finding's subject.
        """
        if isinstance(outcome, bool):
            outcome = Outcome.TRUE if outcome else Outcome.FALSE
        return Finding(
            probe=self.spec.id,
            subject=subject,
            outcome=outcome,
            message=message,
            values=dict(values or {}),
            evidence=tuple(evidence),
            remedy=remedy or None,
        )

    def not_available(self, subject: str, reason: str) -> Finding:
        """A finding saying a source did not answer, so this question cannot be decided."""
        return self.finding(subject, Outcome.NOT_AVAILABLE, reason)

    def per_repo(
        self,
        repos: Iterable[RepoView],
        judge: Callable[[RepoView], Finding | Iterable[Finding] | None],
    ) -> Iterator[Finding]:
        """``judge`` each repository in turn, so that one repository's content cannot spoil the others' findings.

        A repository whose content makes ``judge`` raise gets one finding instead of its own: ``not_available``
        when a source could not answer (a refused YAML file, an API down), ``error`` for anything else. What
        ``judge`` found for that repository before it failed is dropped: half an answer would read as a whole one.
        """
        for repo in repos:
            try:
                produced = judge(repo)
                found = [produced] if isinstance(produced, Finding) else list(produced or ())
            except SourceUnavailable as exc:
                found = [self.not_available(repo.full_name, str(exc))]
            except Exception as exc:  # hostile content must cost this repository's finding, not the probe's
                message = f"probe failed on this repository: {describe(exc)}"
                found = [self.finding(repo.full_name, Outcome.ERROR, message)]
            yield from found


class IndexProbe(Probe):
    """A probe that can fall back to the CNCF index; tests hand in their own index."""

    def __init__(self, index: AssessmentsIndex | None = None):
        self._index = index

    def index(self) -> AssessmentsIndex:
        """The index given at construction, else the bundled one (raises SourceUnavailable when unreadable)."""
        return self._index if self._index is not None else load_bundled_index()


# API-backed probes ask this many repositories at once.
API_WORKERS = 6


def ask_per_repo(ctx: ScanContext, judge: Callable[[ScanContext, RepoView], Finding]) -> list[Finding]:
    """One API-backed finding per repo, asked concurrently: the answers wait on the network, not on us."""
    with ThreadPoolExecutor(max_workers=max(1, min(API_WORKERS, ctx.config.workers))) as pool:
        return list(pool.map(lambda repo: judge(ctx, repo), ctx.repos))


def unread_names(docs: Iterable[Doc]) -> str:
    """Documents that exist but were not read, each with why: "acme/MAINTAINERS (a binary file), ..."."""
    return ", ".join(f"{d.label} ({d.refusal})" for d in dict.fromkeys(docs))


def reads_documents(*roles: str) -> Callable[[RunMethod[_ProbeT]], RunMethod[_ProbeT]]:
    """Decorate a probe's ``run``: when a document of ``roles`` exists but could not be read (binary, over the size
    cap...), a ``false`` answer about the project becomes ``not_available`` naming it. What was not read may be
    exactly what the probe looks for, and "could not tell" must never read as "not met"."""

    def wrap(run: RunMethod[_ProbeT]) -> RunMethod[_ProbeT]:
        def qualified(self: _ProbeT, ctx: ScanContext) -> Iterable[Finding]:
            from dd_evidence.facts import project_map

            unread = [d for role in roles for d in project_map(ctx).unread(role)]
            for finding in run(self, ctx):
                if unread and finding.outcome is Outcome.FALSE:
                    names = unread_names(unread)
                    finding = replace(
                        finding, outcome=Outcome.NOT_AVAILABLE, message=f"{finding.message}; not read: {names}"
                    )
                yield finding

        qualified.__name__ = run.__name__
        qualified.__doc__ = run.__doc__
        return qualified

    return wrap
