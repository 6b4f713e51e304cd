"""The probe base class: a yes/no question over the facts a scan context hands it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.scrub import describe

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext
    from dd_evidence.repoview import RepoView


class Probe:
    """Subclass this, set ``spec`` and implement ``run``. Keep ``run`` pure over what ``ctx`` gives you.

    Raising :class:`~dd_evidence.errors.SourceUnavailable` from ``run`` turns into a ``not_available`` finding,
    any other exception into an ``error`` finding: a broken probe never stops a scan.
    """

    spec: ClassVar[ProbeSpec]

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
        """Build a finding of this probe; a bool outcome maps to TRUE/FALSE.

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
