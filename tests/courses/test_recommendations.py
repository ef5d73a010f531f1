"""Courses recommended for competence gaps, through the assessments provider hook."""

import pytest

from assessments.recommendations import recommendations_for
from assessments.selectors import Gap
from content.demo import demo_site_build
from courses.demo import demo_courses_create
from courses.recommendations import courses_for_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    demo_site_build()
    demo_courses_create()


def _gap(code):
    return Gap(competence_code=code, competence_title=code, required=3, current=1)


def test_courses_covering_most_gaps_come_first(catalogue, django_assert_max_num_queries):
    gaps = [_gap("digcomp-2.2:4.2"), _gap("digcomp-2.2:2.1")]
    # One query for the courses, plus two lookups that are cached after the first page
    # (view restrictions, site root paths for .url).
    with django_assert_max_num_queries(3):
        items = courses_for_gaps(person=None, gaps=gaps)
    assert items, "the demo catalogue builds 4.2 and 2.1"
    covered = [len(item["competence_codes"]) for item in items]
    assert covered == sorted(covered, reverse=True)
    assert all(set(item["competence_codes"]) <= {"digcomp-2.2:4.2", "digcomp-2.2:2.1"} for item in items)
    assert all(item["url"].startswith("/") for item in items)


def test_no_gap_no_recommendation(catalogue):
    assert courses_for_gaps(person=None, gaps=[]) == []
    assert courses_for_gaps(person=None, gaps=[_gap("digcomp-2.2:9.9")]) == []


def test_registered_with_the_profile(catalogue):
    items = recommendations_for(person=None, gaps=[_gap("digcomp-2.2:4.2")])
    assert any("4.2" in " ".join(item.get("competence_codes", [])) for item in items)
