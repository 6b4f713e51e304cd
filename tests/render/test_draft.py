"""Issue 14 without ../shared: a draft built from synthetic findings, through the real aggregator and renderer, is one
a reviewer pastes as it is (remedies from findings, deciding evidence first, collapsed lines, one link per fact,
quotes cut at a word, boxes that follow their findings, one as-of truth, no made-up links for a self-check)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from draftcheck import blocks, conflicting_facts, contradictions, cut_words, words

from dd_evidence.aggregate import aggregate
from dd_evidence.catalogue import Catalogue, Criterion, Rule, Section
from dd_evidence.model import (
    CatalogueInfo,
    Evidence,
    Finding,
    Outcome,
    ProjectInfo,
    Report,
    RepoScan,
    Requirement,
)
from dd_evidence.render.markdown import render_markdown

SHA = {name: f"{i:x}" * 40 for i, name in enumerate(("web", "community", "api", "client", "docs"), start=1)}
REPOS = ("web", "community", "api", "client", "docs")
GOV = "Governance and Maintainers"
SEC = "Security"
ENG = "Engineering Principles"
RELEASE_ITEMS = ("Release expectations (scheduled or based on feature implementation)", "Artifacts included.")
QUOTE = (
    "Decisions are based on technical merit and community consensus, free from the influence of any single company "
    "or vendor, as described in this document."
)


def blob(repo: str, path: str, line: int | None = None) -> str:
    anchor = f"#L{line}" if line else ""
    return f"https://github.com/acme/{repo}/blob/{SHA[repo]}/{path}{anchor}"


def ev(repo: str, path: str, line: int | None = None, excerpt: str | None = None) -> Evidence:
    label = f"{repo}/{path}" + (f"#L{line}" if line else "")
    return Evidence(url=blob(repo, path, line), source="git", excerpt=excerpt, label=label)


def finding(probe: str, subject: str, outcome: Outcome, message: str, *evidence: Evidence, **kw) -> Finding:
    return Finding(probe, subject, outcome, message, kw.pop("values", {}), tuple(evidence), **kw)


FINDINGS = [
    # Code of Conduct: present and adopting, but no reporting contact (the first contradiction).
    finding("coc.present", "acme", Outcome.TRUE, "code of conduct found in community/CODE_OF_CONDUCT.md",
            ev("community", "CODE_OF_CONDUCT.md", 1)),
    finding("coc.adopts", "acme", Outcome.TRUE, "community/CODE_OF_CONDUCT.md adopts the CNCF Code of Conduct",
            ev("community", "CODE_OF_CONDUCT.md", 3)),
    finding("coc.contact", "acme", Outcome.FALSE, "no e-mail address in the Code of Conduct",
            ev("community", "CODE_OF_CONDUCT.md", 1),
            remedy="Add a contact for reporting violations to community/CODE_OF_CONDUCT.md."),
    # Security policy: the project's decides; per-repo absences and unread settings support, and collapse.
    finding("sec.present", "acme", Outcome.TRUE, "security policy found in community/SECURITY.md",
            ev("community", "SECURITY.md", 1)),
    *[finding("sec.every_repo", f"acme/{r}", Outcome.FALSE, f"{r} has no SECURITY.md, no org default")
      for r in ("api", "client", "docs")],
    finding("sec.every_repo", "acme/community", Outcome.TRUE, "community has SECURITY.md",
            ev("community", "SECURITY.md")),
    *[finding("sec.private_reporting", f"acme/{r}", Outcome.NOT_AVAILABLE, "not read: offline: not asked")
      for r in REPOS],
    # Neutrality: stated (quote cut by the probe at 160 characters, mid-word), and a cap.
    finding("neutral.statement", "acme", Outcome.TRUE,
            f"neutrality is stated at community/GOVERNANCE.md#L9: {QUOTE[:104]}",
            ev("community", "GOVERNANCE.md", 9, excerpt=QUOTE[:104])),
    # Maintainers active: healthy, but two people without commits (a remedy on a true finding: never praised) ...
    finding("activity.maintainers", "acme", Outcome.TRUE,
            "3 of 5 maintainers in community/MAINTAINERS.md committed from 2025-03-19 to 2025-09-15 (exclusive); "
            "no commits from ann, bob", ev("community", "MAINTAINERS.md", 3),
            remedy="Confirm with ann, bob (no commits from 2025-03-19 to 2025-09-15, exclusive) whether they are "
            "still active maintainers, and move those who are not to emeritus in community/MAINTAINERS.md."),
    # ... and the same two make the governance out of date, with the same window and names.
    finding("gov.up_to_date", "acme", Outcome.FALSE,
            "2 of 5 listed maintainers have no commits in the scanned repos from 2025-03-19 to 2025-09-15 "
            "(exclusive) (ann, bob)", ev("community", "MAINTAINERS.md", 5), ev("community", "MAINTAINERS.md", 6),
            remedy="Confirm with ann, bob (no commits from 2025-03-19 to 2025-09-15, exclusive) whether they are "
            "still active maintainers, and move those who are not to emeritus in community/MAINTAINERS.md."),
    # Governance history: five commits in one repo become one link to its log.
    finding("gov.iterated", "acme", Outcome.TRUE, "5 commits changed governance files",
            *[Evidence(f"https://github.com/acme/community/commit/{i}{'0' * 39}", "git", label=f"community@{i}")
              for i in range(1, 6)]),
    # Release process: one finding per sub-item.
    finding("rel.items", "release-process: expectations", Outcome.TRUE, "community/RELEASE.md covers cadence",
            ev("community", "RELEASE.md", 3), values={"subitem": RELEASE_ITEMS[0]}),
    finding("rel.items", "release-process: artifacts", Outcome.FALSE, "community/RELEASE.md does not cover artifacts",
            ev("community", "RELEASE.md"), values={"subitem": RELEASE_ITEMS[1]},
            remedy="Add to community/RELEASE.md the artifacts each release ships."),
]  # fmt: skip

SPECS = {"sec.every_repo": "Link the project's security policy from each repository.", "gov.iterated": "Keep going."}


def criterion(cid: str, title: str, section: str, rule: Rule, **kw) -> Criterion:
    return Criterion(cid, title, section, Requirement.REQUIRED, rule, todo=kw.pop("todo", "Stock TODO."), **kw)


CATALOGUE = Catalogue(
    "graduation",
    "2025-08-19",
    datetime(2025, 8, 19, tzinfo=UTC),
    "template",
    "t",
    (
        Section(
            GOV,
            (
                criterion("gov-coc", "Code of Conduct adopted.", GOV,
                          Rule(("coc.present", "coc.adopts", "coc.contact")),
                          todo="Add a CODE_OF_CONDUCT.md that adopts or links the CNCF Code of Conduct."),
                criterion("gov-up-to-date", "Governance is up to date.", GOV, Rule(("gov.up_to_date",)),
                          todo="Update GOVERNANCE.md so the meetings, elections and leadership match."),
                criterion("gov-neutral", "Governance is vendor-neutral.", GOV, Rule(("neutral.statement",))),
                criterion("gov-active", "Active maintainers.", GOV, Rule(("activity.maintainers",))),
                criterion("gov-iterated", "Governance iterated.", GOV, Rule(("gov.iterated",))),
            ),
        ),
        Section(
            SEC,
            (
                criterion("sec-report", "Process to report security issues.", SEC,
                          Rule(("sec.present",), supporting=("sec.every_repo", "sec.private_reporting"))),
            ),
        ),
        Section(
            ENG,
            (criterion("eng-release", "Release process.", ENG, Rule(("rel.items",)), subitems=RELEASE_ITEMS),),
        ),
    ),
)  # fmt: skip


def build(**changes) -> Report:
    results = aggregate(CATALOGUE, FINDINGS, SPECS, project_subjects=("acme",))
    fields = {
        "project": ProjectInfo("acme", "Acme", ("acme",), maturity="incubating", maturity_since="2021-01-05"),
        "level": "graduation",
        "as_of": datetime(2025, 9, 15, tzinfo=UTC),
        "generated_at": datetime(2026, 7, 1, tzinfo=UTC),
        "tool_version": "0.1.0",
        "catalogue": CatalogueInfo("graduation", "2025-08-19", "template"),
        "repos": tuple(
            RepoScan(
                "acme",
                r,
                "community" if r == "community" else "other",
                f"https://github.com/acme/{r}.git",
                SHA[r],
                datetime(2025, 9, 1, tzinfo=UTC),
            )
            for r in REPOS
        ),  # fmt: skip
        "criteria": tuple(results),
        "findings": tuple(FINDINGS),
        "options": {
            "web_url": "https://github.com/{owner}/{repo}",
            "git_url": "file:///srv/{owner}/{repo}",
            "window_days": 180,
            "windows": {"activity_days": 180, "releases_days": 365, "governance_history_days": 730},
        },
        "timings": {"total": 3.5},
    }
    fields.update(changes)
    return Report(**fields)


@pytest.fixture(scope="module")
def draft() -> str:
    return render_markdown(build())


def block_of(md: str, title: str):
    return next(b for b in blocks(md) if b.title == title)


def test_todo_is_the_failing_findings_remedy_not_the_stock_sentence(draft):
    coc = block_of(draft, "Code of Conduct adopted.")
    assert coc.todo == "Add a contact for reporting violations to community/CODE_OF_CONDUCT.md."
    stale = block_of(draft, "Governance is up to date.")
    assert stale.todo.startswith("Confirm with ann, bob") and "GOVERNANCE.md" not in stale.todo
    assert contradictions(draft) == []


def test_a_met_criterion_has_no_todo_and_each_recommendation_is_written_once(draft):
    reporting = block_of(draft, "Process to report security issues.")
    assert reporting.todo == "" and "[x] **Process to report" in draft
    assert reporting.recommendations == "Link the project's security policy from each repository (api, client, docs)."
    # The inactive maintainers are the TODO of "up to date": not repeated as a recommendation of "active".
    assert draft.count("Confirm with ann, bob") == 1
    assert "TODO for" not in draft.split("### Criteria\n", 1)[0]


def test_deciding_evidence_first_and_repeated_negatives_collapse(draft):
    reporting = block_of(draft, "Process to report security issues.")
    marks = [mark for mark, _ in reporting.findings]
    assert marks[0] == "✔" and reporting.findings[0][1].startswith("security policy found")
    assert ("✘", "3 repos (api, client, docs) have no SECURITY.md, no org default") in reporting.findings
    not_read = [text for mark, text in reporting.findings if mark == "?"]
    assert not_read == ["not read: offline: not asked (5 repos: web, community, api, client, docs)"]


def test_nothing_praised_that_is_blamed_elsewhere(draft):
    noteworthy = draft.split("noteworthy to call out.", 1)[1].split("\n- The following", 1)[0]
    assert "Governance is vendor-neutral." in noteworthy
    assert "Active maintainers." not in noteworthy  # its true finding still asks for a fix
    assert "ann" not in noteworthy
    assert conflicting_facts(draft) == []


def test_checker_catches_the_drafts_it_is_meant_to_reject():
    bad = (
        "- [ ] **C.** — _partial_\n  - ✔ community/CODE_OF_CONDUCT.md adopts the CNCF Code of Conduct\n"
        "  - **TODO for A team:** Add a CODE_OF_CONDUCT.md that adopts or links the CNCF Code of Conduct.\n"
        "<!-- (TOC Evaluation goes here) -->\n"
        "  - ✔ 7 of 13 maintainers in MAINTAINERS.md committed from 2025-03-19 to 2025-09-15 (exclusive)\n"
        "  - ✘ 5 of 13 listed maintainers have no commits in the scanned repos in the last 12 months (a, b)\n"
        "  - ✔ stated: `free from the influence of any single compa`\n"
    )
    assert len(contradictions(bad)) == 1
    assert len(conflicting_facts(bad)) == 2
    assert cut_words(bad, words(["free from the influence of any single company"])) == []  # no link before it
    assert cut_words("  - ✔ any x — [f](u) `any single compa`", words([QUOTE, "x"])) == ["compa"]


def test_quotes_end_at_a_word_with_an_ellipsis(draft):
    assert "free from the influence of any single compa" not in draft  # the probe's cut, mid-word
    assert cut_words(draft, words([QUOTE, *(f.message for f in FINDINGS), "Acme"])) == []
    assert "community consensus, free from the…" in draft


def test_one_link_per_fact_and_one_log_link_for_a_repos_history(draft):
    iterated = draft.split("- [x] **Governance iterated.**", 1)[1].split("<!--", 1)[0]
    assert iterated.count("/commit/") == 0
    assert f"[community: 5 commits (log)](https://github.com/acme/community/commits/{SHA['community']})" in iterated
    # The CODE_OF_CONDUCT.md#L1 link decides two findings of one criterion: linked once.
    assert draft.count(f"({blob('community', 'CODE_OF_CONDUCT.md', 1)})") == 1


def test_release_boxes_follow_their_findings(draft):
    block = draft.split("- [ ] **Release process.**", 1)[1].split("<!--", 1)[0]
    assert f"  - [x] {RELEASE_ITEMS[0]}\n" in block
    assert f"  - [ ] {RELEASE_ITEMS[1]}\n" in block


def test_header_follows_as_of_names_the_windows_and_keeps_scan_notes_out(draft):
    header = draft.split("## Graduation Evaluation Summary", 1)[0]
    assert "On 2025-09-15 Acme was a CNCF incubating project since 2021-01-05, applying for graduation." in header
    assert "Activity window: from 2025-03-19 to 2025-09-15 (exclusive), the 180 days" in header
    assert "release history: the 12 months before it; governance history: the 24 months before it." in header
    assert "generated" not in header  # the as-of instant is the truth; the run time is in the JSON
    assert "file:///srv" not in draft and "3.5 s" not in draft


def test_a_candidate_is_named_as_one():
    md = render_markdown(build(project=ProjectInfo("widget", "Widget", (), maturity=None), level="incubation"))
    assert "Widget was not a CNCF project on 2025-09-15: scanned as a candidate applying for incubation." in md
    done = render_markdown(build(project=ProjectInfo("acme", "Acme", ("acme",), maturity="graduated")))
    assert "Acme was a CNCF graduated project, checked again against the graduation criteria." in done


def test_a_self_check_without_a_forge_remote_links_relative_paths():
    local = finding("coc.present", "local", Outcome.TRUE, "code of conduct found in CODE_OF_CONDUCT.md",
                    Evidence("CODE_OF_CONDUCT.md#L1", "git", label="widget/CODE_OF_CONDUCT.md#L1"))  # fmt: skip
    results = aggregate(CATALOGUE, [local], project_subjects=("widget",))
    report = build(
        project=ProjectInfo("widget", "Widget", (), maturity=None),
        repos=(RepoScan("local", "widget", "main", "file:///home/me/widget", "a" * 40),),
        criteria=tuple(results),
        findings=(local,),
        options={"web_url": "", "window_days": 180},
    )
    md = render_markdown(report)
    assert "github.com/local" not in md and "file://" not in md
    assert "[widget/CODE_OF_CONDUCT.md#L1](CODE_OF_CONDUCT.md#L1)" in md
