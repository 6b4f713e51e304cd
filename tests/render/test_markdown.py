"""The DD draft: template layout, one checkbox item per criterion, evidence links, TODOs, safe scan text."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from dd_evidence.model import CriterionResult, CriterionStatus, Evidence, Finding, Outcome, Requirement
from dd_evidence.render.markdown import (
    TOC_EVALUATION,
    code_span,
    escape_inline,
    figures_text,
    plain_text,
    render_markdown,
)

TODO = "**TODO for Acme team:**"


def _parse(text: str):
    return MarkdownIt("gfm-like").parse(text)


def _headings(text: str) -> list[str]:
    tokens = _parse(text)
    return [f"{token.tag} {tokens[i + 1].content}" for i, token in enumerate(tokens) if token.type == "heading_open"]


def _block(text: str, title: str) -> str:
    """The lines of one criterion item, from its checkbox line to the TOC evaluation comment."""
    start = re.search(rf"^- \[[ x]\] \*\*{re.escape(title)}\*\*.*$", text, flags=re.M)
    assert start, f"no checkbox item for {title!r}"
    end = text.index(TOC_EVALUATION, start.start())
    return text[start.start() : end]


def test_report_to_markdown_uses_this_renderer(report):
    assert report.to_markdown() == render_markdown(report)


def test_headings_follow_the_template(report):
    assert _headings(render_markdown(report)) == [
        "h1 Acme Graduation Due Diligence",
        "h2 Graduation Evaluation Summary for Acme",
        "h3 Criteria Evaluation",
        "h3 Adoption Evaluation",
        "h3 Final Assessment",
        "h3 Criteria",
        "h2 Governance and Maintainers",
        "h3 Suggested",
        "h3 Required",
        "h2 Security",
        "h3 Suggested",
        "h3 Required",
    ]


def test_incubation_names_the_level(make_report):
    text = render_markdown(make_report(level="incubation"))
    assert text.startswith("# Acme Incubation Due Diligence\n")
    assert "## Incubation Evaluation Summary for Acme" in text


@pytest.mark.parametrize(
    ("criterion", "box", "tag"),
    [
        ("gov-review-done", "[ ]", "_manual: a person must judge_"),
        ("gov-docs-discoverable", "[x]", "_met_"),
        ("gov-vendor-neutral", "[ ]", "_partial_"),
        ("gov-maintainers-listed", "[ ]", "_not met_"),
        ("sec-report-process", "[ ]", "_unknown: a source did not answer_"),
        ("sec-release-process", "[x]", "_met_"),
    ],
)
def test_checkbox_and_tag_per_status(report, criterion, box, tag):
    result = report.criterion(criterion)
    # A partial criterion says how many of its checks pass: "_partial_ (1 of 2 checks pass)".
    assert re.search(rf"^- {re.escape(box)} \*\*{re.escape(result.title)}\*\* — {re.escape(tag)}( \(.+\))?$",
                     render_markdown(report), flags=re.M)  # fmt: skip


def test_titles_are_verbatim_and_in_template_order(report, acme):
    text = render_markdown(report)
    assert f"**{acme.vendor_neutral_title}**" in text
    positions = [text.index(f"- [{'x' if r.status == 'met' else ' '}] **{r.title}** — _") for r in report.criteria]
    assert positions == sorted(positions)


def test_todo_line_exactly_for_not_met_and_partial(report):
    text = render_markdown(report)
    for result in report.criteria:
        block = _block(text, result.title)
        expected = 1 if result.status in (CriterionStatus.NOT_MET, CriterionStatus.PARTIAL) else 0
        assert block.count(TODO) == expected, result.criterion
        if expected:
            assert f"  - {TODO} {result.todo}\n" in block


def test_reviewer_hint_for_manual_and_unknown(report):
    text = render_markdown(report)
    assert "  - _Reviewer: the Governance Review issue in cncf/toc_" in _block(
        text, report.criterion("gov-review-done").title
    )
    assert "  - _Reviewer: SECURITY.md in the main repository_" in _block(
        text, report.criterion("sec-report-process").title
    )
    assert "_Reviewer:" not in _block(text, report.criterion("gov-docs-discoverable").title)
    assert "_Why:_" not in _block(text, report.criterion("gov-review-done").title)  # the tag says it all


def test_findings_carry_evidence_links_and_quotes_not_figures(report, acme):
    block = _block(render_markdown(report), report.criterion("gov-docs-discoverable").title)
    # The short quote stands beside the link it quotes; the figures are in the JSON and HTML reports.
    assert f"[community/GOVERNANCE.md#L1-L5]({acme.governance_url}) ``Acme is governed by its `maintainers`.``" in block
    assert "  - ✔ acme/community has GOVERNANCE.md" in block
    assert "maintainers 13" not in block


def test_evidence_without_label_is_named_by_its_path(report, acme):
    block = _block(render_markdown(report), report.criterion("gov-vendor-neutral").title)
    assert f"[.github/CODEOWNERS]({acme.codeowners_url})" in block
    assert "  - ✘ community has no CODEOWNERS or OWNERS file" in block
    assert "— _partial_ (1 of 2 checks pass)" in block


def test_subitems_checked_only_as_findings_say(report, acme):
    block = _block(render_markdown(report), report.criterion("sec-release-process").title)
    assert f"  - [x] {acme.release_subitems[0]}\n" in block
    assert f"  - [ ] {acme.release_subitems[1]}\n" in block


def test_subitems_unchecked_without_finding_values(make_report, report, acme):
    bare = [
        CriterionResult(**{**vars(r), "findings": ()}) if r.criterion == "sec-release-process" else r
        for r in report.criteria
    ]
    block = _block(render_markdown(make_report(criteria=tuple(bare))), bare[-1].title)
    assert f"  - [ ] {acme.release_subitems[0]}\n" in block


def test_empty_subsection_says_na(report):
    text = render_markdown(report)
    security = text[text.index("## Security") :]
    assert security.startswith("## Security\n\n### Suggested\n\nN/A\n\n### Required\n")


def test_hostile_message_cannot_change_the_layout(report, acme):
    text = render_markdown(report)
    tokens = _parse(text)
    assert not [t for t in tokens if t.type == "html_block" and "hidden" in t.content]
    inline = [t for t in tokens if t.type == "inline" and "Owned" in t.content]
    assert len(inline) == 1
    children = inline[0].children or []
    assert not [c for c in children if c.type in ("html_inline", "link_open", "code_inline", "em_open")]
    rendered = "".join(c.content for c in children if c.type == "text")
    assert "# Owned | by `x <!-- hidden [link](javascript:alert(1)) *bold*" in rendered


def test_markdown_parses_into_one_list_item_per_criterion(report):
    tokens = _parse(render_markdown(report))
    criteria_items = [t for t in tokens if t.type == "inline" and re.match(r"^\[[ x]\] \*\*", t.content)]
    assert [t.content.split("** — ")[0] for t in criteria_items] == [
        f"[{'x' if r.status == 'met' else ' '}] **{r.title}" for r in report.criteria
    ]


def test_summary_lists_notables_blockers_and_unknowns(report):
    text = render_markdown(report)
    summary = text[text.index("### Criteria Evaluation") : text.index("### Adoption Evaluation")]
    assert "**2** met, **1** partial, **1** not met, **1** unknown, **1** manual" in summary
    notables, blocking, recommendations, unknown = re.split(r"^- ", summary, flags=re.M)[1:]
    assert "Clear and discoverable project governance documentation." in notables
    assert "(from `security.policy_present`)" in unknown
    assert "rate limit exceeded" in unknown
    # The TODO is written once, under its criterion; the summary names the criterion and its status.
    assert blocking.count(TODO) == 0 and blocking.count("TODO below.") == 2
    assert "_partial_ (1 of 2 checks pass); TODO below." in blocking
    assert "  - None." in recommendations


def test_suggested_not_met_is_a_recommendation(make_report, report):
    criteria = tuple(
        CriterionResult(**{**vars(r), "status": CriterionStatus.NOT_MET, "todo": "Ask for a Governance Review."})
        if r.criterion == "gov-review-done"
        else r
        for r in report.criteria
    )
    text = render_markdown(make_report(criteria=criteria))
    summary = text[text.index("non-blocking.") : text.index("### Adoption Evaluation")]
    assert "Ask for a Governance Review." in summary.split("could not be decided")[0]


def test_placeholders_for_the_toc_member(report):
    text = render_markdown(report)
    adoption = text[text.index("### Adoption Evaluation") : text.index("### Criteria\n")]
    assert adoption.count("**Placeholder for the TOC member:**") == 2


def test_header_names_tool_catalogue_and_short_shas(report, acme):
    text = render_markdown(report)
    assert "_Pre-filled by dd-evidence 0.1.0 from the repositories as of 2025-09-15T00:00:00Z" in text
    assert "revision 2025-06-01" in text
    assert f"[acme/acme](https://github.com/acme/acme/tree/{acme.acme_sha}) (main) at `{acme.acme_sha[:7]}`" in text
    assert f"`{acme.community_sha[:7]}`" in text


def test_unreadable_repo_is_listed_with_its_reason(make_report, report):
    from dd_evidence.model import RepoScan

    broken = RepoScan("acme", "gone", "other", "https://github.com/acme/gone.git", None, error="not found")
    text = render_markdown(make_report(repos=(*report.repos, broken)))
    assert "acme/gone: _not read: not found_" in text


def test_scan_notes_stay_out_of_the_pasteable_draft(report):
    text = render_markdown(report)
    # Timings, requests and options are in the JSON and the HTML appendix; a probe error is for the reviewer to
    # check before pasting, so it is a note at the top, not a section of the document.
    assert "Scan notes" not in text and "3.5 s" not in text and "github 12" not in text and "web_url" not in text
    header = text.split("## Graduation Evaluation Summary", 1)[0]
    assert (
        "> **Scan problems (check, then delete this note):** security.policy_present (acme): github: rate limit"
        in header
    )


def test_ecosystem_section_keeps_adoption_placeholders(make_report):
    result = CriterionResult(
        criterion="eco-adopters",
        title="Publicly documented list of adopters.",
        section="Ecosystem",
        requirement=Requirement.REQUIRED,
        status=CriterionStatus.MANUAL,
        rationale="a person must judge this criterion; no probe decides it",
    )
    headings = _headings(render_markdown(make_report(criteria=(result,), findings=())))
    assert headings[-5:] == [
        "h3 Required",
        "h4 Adoption",
        "h5 Adopter 1 - $COMPANY/$INDUSTRY",
        "h5 Adopter 2 - $COMPANY/$INDUSTRY",
        "h5 Adopter 3 - $COMPANY/$INDUSTRY",
    ]


def test_many_findings_are_capped_but_failures_kept(make_report):
    findings = tuple(
        Finding("ownership.codeowners_present", f"acme/r{i}", Outcome.TRUE, f"r{i} declares owners in CODEOWNERS {i}")
        for i in range(20)
    ) + (Finding("ownership.codeowners_present", "acme/x", Outcome.FALSE, "x has no CODEOWNERS"),)
    result = CriterionResult(
        criterion="own",
        title="Code ownership.",
        section="Governance and Maintainers",
        requirement=Requirement.REQUIRED,
        status=CriterionStatus.PARTIAL,
        rationale="20 of 21 checks pass; missing: x has no CODEOWNERS",
        findings=findings[-1:] + findings[:-1],
        todo="Add CODEOWNERS.",
        decided_by=findings[-1:],
    )
    block = _block(render_markdown(make_report(criteria=(result,), findings=findings)), "Code ownership.")
    assert block.index("x has no CODEOWNERS") < block.index("r0 declares")  # the deciding finding first
    assert "… and 16 more findings in the JSON report" in block


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CODE_OF_CONDUCT.md has no contact", "CODE_OF_CONDUCT.md has no contact"),
        ("_emphasis_ and *stars*", "\\_emphasis\\_ and \\*stars\\*"),
        ("a | b `c` <d>", "a \\| b \\`c\\` \\<d\\>"),
        ("multi\nline\n\n  text", "multi line text"),
        ("&amp; stays literal", "\\&amp; stays literal"),
    ],
)
def test_escape_inline(text, expected):
    assert escape_inline(text) == expected


def test_escape_inline_at_line_start():
    assert escape_inline("# heading", line_start=True) == "\\# heading"
    assert escape_inline("1. item", line_start=True) == "1\\. item"
    assert escape_inline("- item", line_start=True) == "\\- item"
    assert escape_inline("0.1.0") == "0.1.0"


def test_code_span_fences_backticks():
    assert code_span("plain") == "`plain`"
    assert code_span("a `b` c") == "``a `b` c``"
    assert code_span("`edge`") == "`` `edge` ``"
    assert code_span("x" * 300).endswith("…`")
    assert code_span("word " * 60).endswith("word…`")  # cut at a word, never inside one


def test_non_web_evidence_url_is_not_linked(make_report):
    finding = Finding(
        "p.q", "acme", Outcome.TRUE, "found", evidence=(Evidence(url="javascript:alert(1)", source="x", label="x"),)
    )
    result = CriterionResult("c", "T.", "S", Requirement.REQUIRED, CriterionStatus.MET, "found", (finding,))
    text = render_markdown(make_report(criteria=(result,), findings=(finding,)))
    links = [c for t in _parse(text) if t.type == "inline" for c in t.children or [] if c.type == "link_open"]
    assert all("javascript" not in str(c.attrs.get("href")) for c in links)


def test_figures_text_formats_numbers_only():
    values = {"count": 3, "merged_percent": 41.5, "share": 0.25, "flag": True, "names": ["a"]}
    assert figures_text(values) == "count 3 · merged percent 41.5% · share 25%"


def test_plain_text_strips_markup(acme):
    assert plain_text(acme.vendor_neutral_title) == "Governance clearly documents vendor-neutral of project direction."
