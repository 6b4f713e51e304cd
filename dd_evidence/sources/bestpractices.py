"""OpenSSF Best Practices (bestpractices.dev): a project's badge level, tier percentages and open criteria.

Routes: ``GET /projects/<id>.json`` (one project, every database column) and ``GET /projects.json?url=<url>``
(an array of the projects whose homepage or repo URL is exactly ``url``). No authentication; the site asks
for at most one request per second, which the shared :class:`HttpClient` enforces for this host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.answers import AnswerMemo
from dd_evidence.sources.http import HttpClient, host_of, http_client, parse_json

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

SOURCE = "bestpractices"
BASE_URL = "https://www.bestpractices.dev"
POLITE_INTERVAL = 1.0
LEVELS = ("in_progress", "passing", "silver", "gold")

# Criterion ids per badge level (the level keys '0', '1', '2' of the badge app's criteria/criteria.yml, in its
# order: 67 passing, 55 silver, 23 gold). A higher level can repeat a lower level's id with a stricter requirement;
# the JSON has one ``<id>_status`` per id either way, spelled as the database column (``require_2FA_status``).
_PASSING_IDS = """
description_good interact contribution contribution_requirements floss_license floss_license_osi license_location
documentation_basics documentation_interface sites_https discussion english maintained repo_public repo_track
repo_interim repo_distributed version_unique version_semver version_tags release_notes release_notes_vulns
report_process report_tracker report_responses enhancement_responses report_archive vulnerability_report_process
vulnerability_report_private vulnerability_report_response build build_common_tools build_floss_tools test
test_invocation test_most test_continuous_integration test_policy tests_are_added tests_documented_added warnings
warnings_fixed warnings_strict know_secure_design know_common_errors crypto_published crypto_call crypto_floss
crypto_keylength crypto_working crypto_weaknesses crypto_pfs crypto_password_storage crypto_random delivery_mitm
delivery_unsigned vulnerabilities_fixed_60_days vulnerabilities_critical_fixed no_leaked_credentials static_analysis
static_analysis_common_vulnerabilities static_analysis_fixed static_analysis_often dynamic_analysis
dynamic_analysis_unsafe dynamic_analysis_enable_assertions dynamic_analysis_fixed
"""
PASSING_CRITERIA = tuple(_PASSING_IDS.split())
_SILVER_IDS = """
achieve_passing contribution_requirements dco governance code_of_conduct roles_responsibilities access_continuity
bus_factor documentation_roadmap documentation_architecture documentation_security documentation_quick_start
documentation_current documentation_achievements accessibility_best_practices internationalization
sites_password_security maintenance_or_update report_tracker vulnerability_report_credit
vulnerability_response_process coding_standards coding_standards_enforced build_standard_variables
build_preserve_debug build_non_recursive build_repeatable installation_common installation_standard_variables
installation_development_quick external_dependencies dependency_monitoring updateable_reused_components
interfaces_current automated_integration_testing regression_tests_added50 test_statement_coverage80
test_policy_mandated tests_documented_added warnings_strict implement_secure_design crypto_weaknesses
crypto_algorithm_agility crypto_credential_agility crypto_used_network crypto_tls12 crypto_certificate_verification
crypto_verification_private signed_releases version_tags_signed input_validation hardening assurance_case
static_analysis_common_vulnerabilities dynamic_analysis_unsafe
"""
SILVER_CRITERIA = tuple(_SILVER_IDS.split())
_GOLD_IDS = """
achieve_silver bus_factor contributors_unassociated copyright_per_file license_per_file repo_distributed small_tasks
require_2FA secure_2FA code_review_standards two_person_review build_reproducible test_invocation
test_continuous_integration test_statement_coverage90 test_branch_coverage80 crypto_used_network crypto_tls12
hardened_site security_review hardening dynamic_analysis dynamic_analysis_enable_assertions
"""
GOLD_CRITERIA = tuple(_GOLD_IDS.split())
CRITERIA_BY_LEVEL = {"passing": PASSING_CRITERIA, "silver": SILVER_CRITERIA, "gold": GOLD_CRITERIA}
# Statuses that leave a criterion open: "Unmet" and "?" (never answered). "Met" and "N/A" close it.
OPEN_STATUSES = frozenset({"Unmet", "?"})


@dataclass(frozen=True)
class BestPracticesProject:
    """The facts of one bestpractices.dev entry that a DD review needs.

    ``badge_level`` is what the site reports; on an old-schema answer without it, it is derived from the
    percentages and ``level_derived`` says so. ``None`` when neither is there.
    """

    id: int
    name: str | None
    url: str
    retrieved_at: datetime | None
    badge_level: str | None
    level_derived: bool
    tiered_percentage: int | None
    badge_percentage_0: int | None
    badge_percentage_1: int | None
    badge_percentage_2: int | None
    achieved_passing_at: str | None = None
    achieved_silver_at: str | None = None
    achieved_gold_at: str | None = None
    lost_passing_at: str | None = None
    lost_silver_at: str | None = None
    lost_gold_at: str | None = None
    statuses: Mapping[str, str] = field(default_factory=dict)

    @property
    def html_url(self) -> str:
        """The human-readable entry a reviewer opens."""
        return f"{BASE_URL}/projects/{self.id}"

    @property
    def next_level(self) -> str | None:
        """The level the project works towards next; None at gold or when the level is unknown."""
        if self.badge_level not in LEVELS or self.badge_level == "gold":
            return None
        return LEVELS[LEVELS.index(self.badge_level) + 1]

    @property
    def unmet_next_level(self) -> list[str]:
        """Criteria of the next level still ``Unmet`` or ``?``, in the badge app's order."""
        level = self.next_level
        if level is None:
            return []
        return [c for c in CRITERIA_BY_LEVEL[level] if self.statuses.get(c) in OPEN_STATUSES]

    @property
    def percentages(self) -> dict[str, int | None]:
        return {"passing": self.badge_percentage_0, "silver": self.badge_percentage_1, "gold": self.badge_percentage_2}

    @property
    def achieved(self) -> dict[str, str | None]:
        return {
            "passing": self.achieved_passing_at,
            "silver": self.achieved_silver_at,
            "gold": self.achieved_gold_at,
        }

    @property
    def lost(self) -> dict[str, str | None]:
        return {"passing": self.lost_passing_at, "silver": self.lost_silver_at, "gold": self.lost_gold_at}


def parse_project(data: Any, url: str, retrieved_at: datetime | None = None) -> BestPracticesProject:
    """Build a :class:`BestPracticesProject` from a ``/projects/<id>.json`` answer, tolerating missing fields."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise SourceUnavailable(SOURCE, f"unexpected answer from {url}: not a project object")
    level, derived = _badge_level(data)
    statuses = {
        key.removesuffix("_status"): value
        for key, value in data.items()
        if key.endswith("_status") and isinstance(value, str)
    }
    return BestPracticesProject(
        id=data["id"],
        name=_str(data.get("name")),
        url=url,
        retrieved_at=retrieved_at,
        badge_level=level,
        level_derived=derived,
        tiered_percentage=_int(data.get("tiered_percentage")),
        badge_percentage_0=_int(data.get("badge_percentage_0")),
        badge_percentage_1=_int(data.get("badge_percentage_1")),
        badge_percentage_2=_int(data.get("badge_percentage_2")),
        achieved_passing_at=_str(data.get("achieved_passing_at")),
        achieved_silver_at=_str(data.get("achieved_silver_at")),
        achieved_gold_at=_str(data.get("achieved_gold_at")),
        lost_passing_at=_str(data.get("lost_passing_at")),
        lost_silver_at=_str(data.get("lost_silver_at")),
        lost_gold_at=_str(data.get("lost_gold_at")),
        statuses=statuses,
    )


def _badge_level(data: Mapping[str, Any]) -> tuple[str | None, bool]:
    """(level, derived): the reported level, else one derived from the tier or the per-level percentages."""
    reported = data.get("badge_level")
    if reported in LEVELS:
        return reported, False
    tiered = _int(data.get("tiered_percentage"))
    if tiered is not None:
        return LEVELS[min(max(tiered, 0) // 100, 3)], True
    percents = [_int(data.get(f"badge_percentage_{n}")) for n in range(3)]
    if all(p is None for p in percents):
        return None, False
    level = "in_progress"
    for name, percent in zip(LEVELS[1:], percents, strict=True):
        if percent != 100:
            break
        level = name
    return level, True


class BestPracticesClient:
    """Reads bestpractices.dev through the scan's :class:`HttpClient`; answers are memoised for the scan."""

    def __init__(self, http: HttpClient, base_url: str = BASE_URL):
        self.http = http
        self.base_url = base_url.rstrip("/")
        http.polite(host_of(self.base_url), POLITE_INTERVAL)
        self._answers = AnswerMemo()

    def project(self, project_id: int) -> BestPracticesProject:
        """The entry of ``project_id``; :class:`SourceUnavailable` when unknown (404) or unreachable."""
        return self._answers.get(("project", project_id), lambda: self._fetch_project(project_id))

    def search(self, repo_url: str) -> list[int]:
        """Ids of the entries whose repo or homepage URL is exactly ``repo_url`` (the site's own match rule)."""
        return self._answers.get(("search", repo_url.rstrip("/")), lambda: self._fetch_search(repo_url.rstrip("/")))

    def _fetch_project(self, project_id: int) -> BestPracticesProject:
        answer = self.http.get(f"{self.base_url}/projects/{int(project_id)}.json", source=SOURCE)
        return parse_project(parse_json(answer, SOURCE), answer.url, answer.retrieved_at)

    def _fetch_search(self, repo_url: str) -> list[int]:
        data = self.http.get_json(f"{self.base_url}/projects.json", source=SOURCE, params={"url": repo_url})
        if not isinstance(data, list):
            raise SourceUnavailable(SOURCE, "unexpected answer to a project search: not a list")
        return [item["id"] for item in data if isinstance(item, dict) and isinstance(item.get("id"), int)]


def bestpractices_client(ctx: ScanContext) -> BestPracticesClient:
    """The scan's bestpractices.dev client over the scan's shared HTTP client."""
    return ctx.memo(SOURCE, lambda: BestPracticesClient(http_client(ctx)))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
