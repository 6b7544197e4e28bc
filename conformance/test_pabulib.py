"""Participatory-budget counting against pabutools, export against pabulib-checker.

For every Pabulib file in ../shared/data/pabulib (outside the repository)
and for seeded random elections, `obcina pb count` must fund the same
projects as pabutools:

- greedy: `greedy_utilitarian_welfare` with `Cost_Sat` for approval ballots
  (utility = cost, so the greedy density is the number of approvals); for
  cumulative, scoring and ordinal ballots with a satisfaction of score × cost,
  where the score is the points given, or `length − position` on an ordinal
  ballot (pabulib-checker's count), so the density is the Pabulib score;
- mes: `method_of_equal_shares(sat_class=Cost_Sat, tie_breaking=min_cost_tie_breaking)`.

pabutools' `min_cost_tie_breaking` leaves projects of equal cost in set
order, which changes with Python's hash seed. obcina breaks those ties by
more votes, then project id; the same order given to pabutools as a
tie-breaking rule must give the same outcome everywhere, and plain
`min_cost_tie_breaking` must agree whenever no two tied projects cost the
same (always, in the real files).

`obcina pb export` must write files pabulib-checker finds no error in, and
so must the participatory-budget service: a server started on a fresh data
directory (with the demo cycle of Ptuj) exports each district's election
from `/api/v1/budget/cycles/{id}/areas/{area}/pabulib`, and the funded
projects on its results page are what pabutools funds from that file.

Run: OBCINA_BIN=target/debug/obcina build/venv/bin/pytest conformance/test_pabulib.py
"""

import json
import os
import random
import subprocess
import urllib.request
from pathlib import Path

import pytest
from pabulib import Checker
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.election.ballot import AbstractCardinalBallot, AbstractOrdinalBallot
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule, min_cost_tie_breaking

from obcina_server import running

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "pabulib"
BIN = os.environ.get("OBCINA_BIN", str(ROOT / "target" / "debug" / "obcina"))
FILES = sorted(DATA.glob("*.pb")) if DATA.is_dir() else []


def obcina(*args):
    done = subprocess.run([BIN, "pb", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def count(path, rule):
    return set(obcina("count", "--file", str(path), "--rule", rule).splitlines())


def score(ballot, project):
    if isinstance(ballot, AbstractCardinalBallot):
        return ballot[project]
    if isinstance(ballot, AbstractOrdinalBallot):
        return len(ballot) - ballot.position(project)
    return 1


def score_cost_sat_func(instance, profile, ballot, project, precomputed_values):
    return score(ballot, project) * project.cost if project in ballot else 0


class Score_Cost_Sat(AdditiveSatisfaction):
    """Greedy density = Pabulib score (points, or position on ordinal ballots)."""

    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, score_cost_sat_func)


def obcina_ties(profile):
    """Lower cost, then more votes (ballots listing the project), then id."""
    votes = {}
    for ballot in profile:
        for project in ballot:
            votes[project.name] = votes.get(project.name, 0) + 1
    return TieBreakingRule(lambda inst, prof, p: (p.cost, -votes.get(p.name, 0), p.name))


def pabutools_greedy(instance, profile, ties):
    approval = instance.meta["vote_type"] in ("approval", "choose-1")
    sat = Cost_Sat if approval else Score_Cost_Sat
    return {p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=ties)}


def pabutools_mes(instance, profile, ties):
    return {p.name for p in method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=ties)}


def distinct_costs(instance):
    costs = [p.cost for p in instance]
    return len(set(costs)) == len(costs)


def compare(path):
    instance, profile = parse_pabulib(str(path))
    ties = obcina_ties(profile)
    greedy, mes = count(path, "greedy"), count(path, "mes")
    assert greedy == pabutools_greedy(instance, profile, ties)
    assert mes == pabutools_mes(instance, profile, ties)
    return instance, profile, greedy, mes


def need_data():
    if not FILES:
        pytest.skip(f"no Pabulib files in {DATA}")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_counts_match_pabutools(path):
    instance, profile, greedy, mes = compare(path)
    # In the real files ties never hinge on equal costs: plain
    # min_cost_tie_breaking gives the same outcome.
    assert mes == pabutools_mes(instance, profile, min_cost_tie_breaking)
    if instance.meta["vote_type"] == "approval":
        assert greedy == pabutools_greedy(instance, profile, min_cost_tie_breaking)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_rule_matches_official_outcome(path):
    instance, _ = parse_pabulib(str(path))
    if not any("selected" in meta for meta in instance.project_meta.values()):
        pytest.skip(f"{path.name} has no selected column")
    official = {p.name for p in instance if instance.project_meta[p].get("selected") == "1"}
    assert count(path, "file") == official


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_export_passes_pabulib_checker(path, tmp_path):
    out = tmp_path / path.name
    obcina("export", "--file", str(path), "--to", str(out))
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    exported = Checker().process_files([str(out)])[path.stem]["results"]
    original = Checker().process_files([str(path)])[path.stem]["results"]
    assert exported["errors"] == {}
    assert set(exported["warnings"]) <= set(original["warnings"])
    # The export counts like the original.
    assert count(out, "greedy") == count(path, "greedy")
    assert count(out, "mes") == count(path, "mes")


def test_data_present():
    need_data()
    assert len(FILES) >= 1


def random_election(rng, vote_type):
    """A small election in Pabulib form. Half of them draw costs from three
    values and points from 1–2, so that ties (equal score or ρ, equal cost)
    happen and the tie-breaking is exercised."""
    m = rng.randint(2, 12)
    n = rng.randint(1, 60)
    tied = rng.random() < 0.5
    pool = [rng.randint(1, 40) * 1000 for _ in range(3)]
    costs = [rng.choice(pool) if tied or rng.random() < 0.3 else rng.randint(1, 200) * 500 for _ in range(m)]
    max_points = 2 if tied else 5
    budget = max(1, int(sum(costs) * rng.uniform(0.1, 0.9)))
    popularity = [rng.random() for _ in range(m)]
    lines = ["META", "key;value", "description;random", "country;Slovenia", "unit;Ptuj", "instance;2026"]
    lines += [f"num_projects;{m}", f"num_votes;{n}", f"budget;{budget}", f"vote_type;{vote_type}", "rule;greedy"]
    lines += ["PROJECTS", "project_id;cost"] + [f"p{i + 1};{c}" for i, c in enumerate(costs)]
    lines += ["VOTES", "voter_id;vote" + (";points" if vote_type == "cumulative" else "")]
    for v in range(n):
        chosen = [f"p{i + 1}" for i in range(m) if rng.random() < popularity[i]]
        rng.shuffle(chosen)
        row = f"{v + 1};{','.join(chosen)}"
        if vote_type == "cumulative":
            # pabutools reads an empty points field as one empty number.
            row = f"{row};{','.join(str(rng.randint(1, max_points)) for _ in chosen)}" if chosen else f"{v + 1};None;None"
        lines.append(row)
    return "\n".join(lines) + "\n"


CASES = [(vote_type, seed) for vote_type in ("approval", "cumulative", "ordinal") for seed in range(100)]


@pytest.mark.parametrize("vote_type,seed", CASES, ids=[f"{t}-{s}" for t, s in CASES])
def test_random_elections_match_pabutools(vote_type, seed, tmp_path):
    rng = random.Random(f"{vote_type}-{seed}")
    path = tmp_path / f"random_{vote_type}_{seed}.pb"
    path.write_text(random_election(rng, vote_type), encoding="utf-8")
    instance, profile, _, mes = compare(path)
    if distinct_costs(instance):
        assert mes == pabutools_mes(instance, profile, min_cost_tie_breaking)


@pytest.fixture(scope="module")
def server():
    """The real server on a free port and a fresh data directory (demo data on)."""
    with running("pb") as srv:
        yield srv["base"]


def get(base, path):
    with urllib.request.urlopen(f"{base}{path}", timeout=30) as r:
        return r.read()


def test_server_export_passes_pabulib_checker(server, tmp_path):
    cycles = json.loads(get(server, "/api/v1/budget/cycles"))
    published = [c for c in cycles if c["phase"] == "results"]
    assert published, "the demo cycle is published"
    for cycle in published:
        results = json.loads(get(server, f"/api/v1/budget/cycles/{cycle['id']}/results"))
        for area in results["areas"]:
            raw = get(server, f"/api/v1/budget/cycles/{cycle['id']}/areas/{area['area_id']}/pabulib")
            assert not raw.startswith(b"\xef\xbb\xbf")
            path = tmp_path / f"ptuj_{cycle['year']}_{len(list(tmp_path.iterdir()))}.pb"
            path.write_bytes(raw)
            checked = Checker().process_files([str(path)])[path.stem]["results"]
            assert checked["errors"] == {}, (area["name"], checked)
            funded = {f"{p['number']:03}" for p in area["projects"] if p["computed_funded"]}
            assert count(path, results["rule"]) == funded
            instance, profile = parse_pabulib(str(path))
            if results["rule"] == "greedy":
                assert pabutools_greedy(instance, profile, obcina_ties(profile)) == funded
