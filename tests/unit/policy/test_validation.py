"""One test per validation rule: the message, and the line it points at.

Each test breaks one thing in a copy of the bundled policy (or writes a tiny
document), then checks that ``check_policy_file`` reports it as
``file:line path: message`` with the line of the offending key, because a
policy author fixes problems by line number.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pledge.policy import PolicyError, Problem, check_policy_file, load_policy
from tests.unit.policy.helpers import errors, find_lines, index_of, line_of, lines_after

Write = Callable[[dict[str, Any]], Path]


def only_error(path: Path) -> Problem:
    """The single error reported for ``path`` (warnings are ignored)."""
    found = errors(check_policy_file(path))
    assert len(found) == 1, [str(problem) for problem in found]
    return found[0]


def assert_at(problem: Problem, path: Path, line: int, dotted: str | None = None) -> None:
    """The problem points at ``line`` of ``path`` (and names ``dotted`` when given)."""
    assert problem.location.startswith(f"{path}:{line}"), problem.location
    assert line_of(problem) == line
    if dotted is not None:
        assert problem.location.endswith(f" {dotted}"), problem.location


# --- schema: unknown keys, wrong types, missing keys -------------------------------------


def test_unknown_top_level_key(policy_data: dict[str, Any], write_policy: Write) -> None:
    """extra="forbid": a misspelt key must not be silently ignored."""
    policy_data["colour"] = "blue"
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "unknown key 'colour'"
    assert_at(problem, path, find_lines(path, "colour: blue")[0], "colour")


def test_unknown_nested_key(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Unknown keys deep in the tree are reported with their dotted path."""
    policy_data["categories"][2]["colour"] = "blue"
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "unknown key 'colour'"
    assert_at(problem, path, find_lines(path, "colour: blue")[0], "categories[2].colour")


def test_wrong_type(policy_data: dict[str, Any], write_policy: Write) -> None:
    """A value of the wrong type names the expected type and what was given."""
    policy_data["minimum_age"] = "thirteen"
    path = write_policy(policy_data)
    problem = only_error(path)
    assert "integer" in problem.message
    assert "'thirteen'" in problem.message
    assert_at(problem, path, find_lines(path, "minimum_age:")[0], "minimum_age")


def test_wrong_literal_in_a_list(policy_data: dict[str, Any], write_policy: Write) -> None:
    """A field type outside the allowed set is an error at that field's type key."""
    policy_data["categories"][0]["fields"][1]["type"] = "colour"
    path = write_policy(policy_data)
    problem = only_error(path)
    assert "'email'" in problem.message
    assert_at(problem, path, find_lines(path, "type: colour")[0], "categories[0].fields[1].type")


def test_lower_case_country_code(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Country codes are ISO 3166-1 alpha-2 in upper case, as jurisdiction_for expects."""
    policy_data["jurisdictions"][1]["countries"] = ["gb"]
    path = write_policy(policy_data)
    problem = only_error(path)
    assert_at(problem, path, find_lines(path, "- gb")[0], "jurisdictions[1].countries[0]")


def test_missing_key(policy_data: dict[str, Any], write_policy: Write) -> None:
    """A missing key is reported on the line of the mapping that lacks it."""
    del policy_data["controller"]["phone"]
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "missing required key 'phone'"
    assert_at(problem, path, find_lines(path, "controller:")[0], "controller.phone")


# --- files and YAML ----------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    """A tab cannot indent YAML; the scanner's line is kept."""
    path = tmp_path / "tab.yaml"
    path.write_text("version: x\ncontroller:\n\tname: y\n", encoding="utf-8")
    problem = only_error(path)
    assert problem.message.startswith("YAML error:")
    assert_at(problem, path, 3)


def test_unclosed_flow_sequence(tmp_path: Path) -> None:
    """Unbalanced brackets are a syntax error, not a crash."""
    path = tmp_path / "bracket.yaml"
    path.write_text("version: '1'\ntitle: [unclosed\neffective: 2020-01-01\n", encoding="utf-8")
    assert only_error(path).message.startswith("YAML error:")


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    """PyYAML keeps the last of two equal keys; Pledge refuses the ambiguity."""
    path = tmp_path / "dup.yaml"
    path.write_text("version: a\ntitle: b\nversion: c\n", encoding="utf-8")
    problem = only_error(path)
    assert problem.message == "duplicate key 'version' (first given on line 1)"
    assert_at(problem, path, 3)


def test_duplicate_nested_key(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Duplicate keys are found at any depth."""
    path = write_policy(policy_data)
    text = path.read_text(encoding="utf-8")
    text = text.replace("  phone: 833-694-0076\n", "  phone: 833-694-0076\n  phone: '1'\n", 1)
    path.write_text(text, encoding="utf-8")
    problem = only_error(path)
    assert problem.message.startswith("duplicate key 'phone'")
    assert_at(problem, path, find_lines(path, "  phone: '1'")[0])


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a problem for check, and a PolicyError for load."""
    path = tmp_path / "absent.yaml"
    assert check_policy_file(path) == [Problem(location=str(path), message="file not found")]
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert raised.value.problems[0].message == "file not found"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"# only a comment\n", "the file is empty"),
        (b"- a\n- b\n", "the policy must be a mapping of keys to values"),
        (b"just text\n", "the policy must be a mapping of keys to values"),
        (b"\xff\xfe\x00bad", "not UTF-8 text"),
    ],
)
def test_unusable_content(tmp_path: Path, content: bytes, message: str) -> None:
    """Content that is not a policy at all is one clear problem."""
    path = tmp_path / "odd.yaml"
    path.write_bytes(content)
    assert only_error(path).message.startswith(message)


def test_directory_is_not_a_policy(tmp_path: Path) -> None:
    """Pointing PLEDGE_POLICY at a directory is reported, not raised."""
    assert "directory" in only_error(tmp_path).message


# --- categories --------------------------------------------------------------------------


def test_category_without_purpose(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Data collected for no purpose breaks purpose limitation."""
    policy_data["categories"][0]["purposes"] = []
    policy_data.pop("site")  # its forms collect under that category's purposes
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "category 'identification' has no purpose"
    line = lines_after(path, "- id: identification", "purposes: []")[0]
    assert_at(problem, path, line, "categories[0].purposes")


def test_category_without_retention(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Every category must say how long it is kept."""
    del policy_data["categories"][1]["retention"]
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "missing required key 'retention'"
    assert_at(problem, path, find_lines(path, "- id: event")[0], "categories[1].retention")


def test_retention_without_duration_or_rule(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """A retention with only a basis promises no limit at all."""
    policy_data["categories"][0]["retention"] = {"basis": "because"}
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message.startswith("retention needs a duration")
    line = lines_after(path, "- id: identification", "retention:")[0]
    assert_at(problem, path, line, "categories[0].retention")


# --- legal bases and marketing -----------------------------------------------------------


def test_purpose_without_basis_in_a_jurisdiction(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """Data collected everywhere needs a basis everywhere (by id or via 'default')."""
    index = index_of(policy_data["purposes"], "respond_to_requests")
    policy_data["purposes"][index]["legal_basis"] = {
        "eu": "contract",
        "uk": "contract",
        "ch": "contract",
        "california": "notice",
    }
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == (
        "purpose 'respond_to_requests' has no legal basis for jurisdiction 'other'; "
        "add 'other' or 'default'"
    )
    line = lines_after(path, "- id: respond_to_requests", "legal_basis:")[0]
    assert_at(problem, path, line, f"purposes[{index}].legal_basis")


def test_unused_purpose_needs_no_basis_everywhere(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """A purpose no category is collected for cannot be missing a basis."""
    spare = copy.deepcopy(policy_data["purposes"][0])
    spare.update(id="spare", legal_basis={"eu": "contract"})
    policy_data["purposes"].append(spare)
    assert errors(check_policy_file(write_policy(policy_data))) == []


def test_basis_for_an_undeclared_jurisdiction(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """A basis keyed by an unknown jurisdiction is probably a typo."""
    policy_data["purposes"][0]["legal_basis"]["mars"] = "consent"
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "'mars' is neither a declared jurisdiction nor 'default'"
    assert_at(problem, path, find_lines(path, "mars: consent")[0], "purposes[0].legal_basis.mars")


@pytest.mark.parametrize("jurisdiction", ["eu", "uk", "ch"])
def test_marketing_without_consent_in_opt_in_jurisdiction(
    policy_data: dict[str, Any], write_policy: Write, jurisdiction: str
) -> None:
    """Marketing to EU, UK or Swiss residents must rest on consent."""
    index = index_of(policy_data["purposes"], "marketing")
    policy_data["purposes"][index]["legal_basis"][jurisdiction] = "legitimate_interests"
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == (
        f"marketing purpose 'marketing' must rely on consent in opt-in jurisdiction "
        f"{jurisdiction!r}, not 'legitimate_interests'"
    )
    line = lines_after(path, "- id: marketing", f"{jurisdiction}: legitimate_interests")[0]
    assert_at(problem, path, line, f"purposes[{index}].legal_basis.{jurisdiction}")


def test_marketing_default_basis_reaches_opt_in_jurisdictions(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """A non-consent default used in opt-in jurisdictions is flagged for each of them."""
    index = index_of(policy_data["purposes"], "marketing")
    policy_data["purposes"][index]["legal_basis"] = {"default": "legitimate_interests"}
    path = write_policy(policy_data)
    found = errors(check_policy_file(path))
    assert len(found) == 3
    line = lines_after(path, "- id: marketing", "default: legitimate_interests")[0]
    for problem in found:
        assert_at(problem, path, line, f"purposes[{index}].legal_basis.default")


def test_objectable_required_for_legitimate_interests(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """People may object to legitimate-interest processing; the flag must say so."""
    index = index_of(policy_data["purposes"], "site_analytics")
    policy_data["purposes"][index]["objectable"] = False
    path = write_policy(policy_data)
    problem = only_error(path)
    assert "must be 'objectable: true'" in problem.message
    line = lines_after(path, "- id: site_analytics", "objectable: false")[0]
    assert_at(problem, path, line, f"purposes[{index}].objectable")


def test_channels_only_for_marketing(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Channels belong to marketing purposes; elsewhere they are a mistake."""
    index = index_of(policy_data["purposes"], "security")
    policy_data["purposes"][index]["channels"] = ["email"]
    problem = only_error(write_policy(policy_data))
    assert problem.message == "purpose 'security' has channels but is not a marketing purpose"


# --- references --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "needle", "dotted", "message"),
    [
        (
            lambda d: d["categories"][0]["purposes"].append("telepathy"),
            "- telepathy",
            "categories[0].purposes[5]",
            "purpose 'telepathy' is referenced but not declared",
        ),
        (
            lambda d: d["categories"][0]["recipients"].append("acme"),
            "- acme",
            "categories[0].recipients[5]",
            "recipient 'acme' is referenced but not declared",
        ),
        (
            lambda d: d["recipients"][0]["categories"].append("dreams"),
            "- dreams",
            "recipients[0].categories[1]",
            "category 'dreams' is referenced but not declared",
        ),
        (
            lambda d: d["recipients"][0]["purposes"].append("telepathy"),
            "- telepathy",
            "recipients[0].purposes[1]",
            "purpose 'telepathy' is referenced but not declared",
        ),
        (
            lambda d: d["cookies"][0].update(recipient="acme"),
            "recipient: acme",
            "cookies[0].recipient",
            "recipient 'acme' is referenced but not declared",
        ),
        (
            lambda d: d["recipients"][0]["transfer"]["origins"].append("mars"),
            "- mars",
            "recipients[0].transfer.origins[3]",
            "jurisdiction 'mars' is referenced but not declared",
        ),
    ],
)
def test_undeclared_reference(
    policy_data: dict[str, Any],
    write_policy: Write,
    edit: Callable[[dict[str, Any]], None],
    needle: str,
    dotted: str,
    message: str,
) -> None:
    """Every id mentioned must be declared somewhere in the policy."""
    edit(policy_data)
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == message
    assert_at(problem, path, find_lines(path, needle)[0], dotted)


def test_sharing_must_be_declared_on_both_sides(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """A recipient listing a category the category does not list is a contradiction."""
    index = index_of(policy_data["categories"], "internet_activity")
    policy_data["categories"][index]["recipients"].remove("hubspot")
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "category 'internet_activity' does not list recipient 'hubspot'"
    line = lines_after(path, "- id: hubspot", "- internet_activity")[0]
    assert_at(problem, path, line, "recipients[1].categories[0]")


# --- rights and durations ----------------------------------------------------------------


def test_right_without_deadline(policy_data: dict[str, Any], write_policy: Write) -> None:
    """A right with no deadline could be left unanswered forever."""
    del policy_data["jurisdictions"][3]["rights"][0]["deadline"]
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "missing required key 'deadline'"
    line = lines_after(path, "- id: california", "- type: know")[0]
    assert_at(problem, path, line, "jurisdictions[3].rights[0].deadline")


@pytest.mark.parametrize(
    ("edit", "value", "dotted"),
    [
        (lambda d, v: d["categories"][0]["retention"].update(duration=v), "2 years", None),
        (lambda d, v: d["cookies"][0].update(lifetime=v), "forever", "cookies[0].lifetime"),
        (
            lambda d, v: d["jurisdictions"][3]["rights"][0].update(extension=v),
            "P1X",
            "jurisdictions[3].rights[0].extension",
        ),
        (
            lambda d, v: d["jurisdictions"][3]["rights"][1].update(deadline=v),
            "45 days",
            "jurisdictions[3].rights[1].deadline",
        ),
    ],
)
def test_invalid_iso_duration(
    policy_data: dict[str, Any],
    write_policy: Write,
    edit: Callable[[dict[str, Any], str], None],
    value: str,
    dotted: str | None,
) -> None:
    """Durations anywhere in the policy must parse, or deadlines cannot be computed."""
    edit(policy_data, value)
    path = write_policy(policy_data)
    problem = only_error(path)
    assert "not an ISO 8601 duration" in problem.message
    assert_at(problem, path, find_lines(path, f": {value}")[0], dotted)


# --- duplicates and jurisdictions --------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "index", "needle", "what"),
    [
        ("categories", 0, "- id: identification", "category id 'identification'"),
        ("purposes", 3, "- id: marketing", "purpose id 'marketing'"),
        ("recipients", 1, "- id: hubspot", "recipient id 'hubspot'"),
        ("jurisdictions", 0, "- id: eu", "jurisdiction id 'eu'"),
        ("cookies", 3, "- name: __hstc", "cookie 'HubSpot/__hstc'"),
    ],
)
def test_duplicate_ids(
    policy_data: dict[str, Any],
    write_policy: Write,
    key: str,
    index: int,
    needle: str,
    what: str,
) -> None:
    """Ids name things in records and requests: two things may not share one."""
    policy_data[key].append(copy.deepcopy(policy_data[key][index]))
    path = write_policy(policy_data)
    duplicate = [p for p in errors(check_policy_file(path)) if "duplicate" in p.message]
    assert len(duplicate) == 1, duplicate
    assert duplicate[0].message.startswith(f"duplicate {what}")
    assert line_of(duplicate[0]) == find_lines(path, needle)[1]


def test_same_cookie_name_from_two_providers_is_fine(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """Cookie names are unique per provider, not globally."""
    twin = copy.deepcopy(policy_data["cookies"][0])
    twin["provider"] = "Elsewhere"
    policy_data["cookies"].append(twin)
    assert errors(check_policy_file(write_policy(policy_data))) == []


def test_duplicate_field_in_category(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Two fields with one id would make a record ambiguous."""
    fields = policy_data["categories"][0]["fields"]
    fields.append(copy.deepcopy(fields[1]))
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message.startswith("duplicate field id in category 'identification' 'email'")
    line = lines_after(path, "- id: identification", "- id: email")[1]
    assert_at(problem, path, line, f"categories[0].fields[{len(fields) - 1}].id")


def test_duplicate_right_in_jurisdiction(policy_data: dict[str, Any], write_policy: Write) -> None:
    """One right per type per jurisdiction, or the deadline is ambiguous."""
    rights = policy_data["jurisdictions"][3]["rights"]
    rights.append(copy.deepcopy(rights[0]))
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message.startswith("duplicate right in jurisdiction 'california' 'know'")
    line = lines_after(path, "- id: california", "- type: know")[1]
    assert_at(problem, path, line, f"jurisdictions[3].rights[{len(rights) - 1}].type")


def test_two_default_jurisdictions(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Only one jurisdiction can catch everyone else."""
    policy_data["jurisdictions"][0]["default"] = True
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message == "more than one default jurisdiction ('eu' is already the default)"
    line = lines_after(path, "- id: other", "default: true")[0]
    assert_at(problem, path, line, "jurisdictions[4].default")


def test_no_default_jurisdiction(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Without a default, a person from an unlisted country would have no rights."""
    del policy_data["jurisdictions"][4]["default"]
    path = write_policy(policy_data)
    problem = only_error(path)
    assert problem.message.startswith("no default jurisdiction")
    assert_at(problem, path, find_lines(path, "jurisdictions:")[0], "jurisdictions")


def test_country_in_two_jurisdictions(policy_data: dict[str, Any], write_policy: Write) -> None:
    """A country in two region-less jurisdictions makes jurisdiction_for ambiguous."""
    policy_data["jurisdictions"][1]["countries"].append("FR")
    problem = only_error(write_policy(policy_data))
    assert problem.message == "country 'FR' is also in jurisdiction 'eu'"
    assert problem.location.endswith("jurisdictions[1].countries[1]")


# --- warnings and the exception ----------------------------------------------------------


def test_privacy_shield_is_a_warning(policy_data: dict[str, Any], write_policy: Write) -> None:
    """Privacy Shield reliance warns at the mechanism's line and never stops loading."""
    index = index_of(policy_data["recipients"], "public_authorities")
    policy_data["recipients"][index]["transfer"]["mechanism"] = "privacy_shield"
    path = write_policy(policy_data)
    policy = load_policy(path)
    mine = [w for w in policy.warnings if f"recipients[{index}]" in w.location]
    assert len(mine) == 1
    assert mine[0].severity == "warning"
    assert "invalidated by the CJEU (Schrems II, 2020)" in mine[0].message
    assert "its successor is the EU-U.S. Data Privacy Framework" in mine[0].message
    line = lines_after(path, "- id: public_authorities", "mechanism: privacy_shield")[0]
    assert_at(mine[0], path, line, f"recipients[{index}].transfer.mechanism")
    assert str(mine[0]).startswith(f"{mine[0].location}: warning: ")


def test_successor_mechanism_is_not_warned(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    """Moving a recipient to the Data Privacy Framework removes its warning."""
    before = len(load_policy(write_policy(policy_data)).warnings)
    policy_data["recipients"][0]["transfer"]["mechanism"] = "data_privacy_framework"
    assert len(load_policy(write_policy(policy_data)).warnings) == before - 1


def test_policy_error_lists_every_problem(policy_data: dict[str, Any], write_policy: Write) -> None:
    """load_policy reports all errors at once, so an author fixes them in one pass."""
    policy_data["minimum_age"] = "x"
    policy_data["colour"] = "blue"
    with pytest.raises(PolicyError) as raised:
        load_policy(write_policy(policy_data))
    assert len(raised.value.problems) == 2
    assert "invalid policy:" in str(raised.value)
    assert "unknown key 'colour'" in str(raised.value)


def test_problem_str() -> None:
    """Problems print as the CLI shows them: ``location: message``."""
    assert str(Problem(location="p.yaml:3 x", message="bad")) == "p.yaml:3 x: bad"
    warning = Problem(location="p.yaml:4", message="old", severity="warning")
    assert str(warning) == "p.yaml:4: warning: old"
