"""Extra conditions a course's completion rule can require, registered by other apps.

The base rule (courses.services.course_completion_evaluate): every required live lesson
is complete. The assessments app adds "the final test is passed" by registering a
function here; every registered function must return True for the course to complete.

    from courses.completion import completion_rule_register

    @completion_rule_register
    def final_test_passed(*, learner_id: int, course_id: int) -> bool: ...
"""

from collections.abc import Callable

CompletionRule = Callable[..., bool]
_rules: list[CompletionRule] = []


def completion_rule_register(func: CompletionRule) -> CompletionRule:
    if func not in _rules:
        _rules.append(func)
    return func


def completion_rule_unregister(func: CompletionRule) -> None:
    if func in _rules:
        _rules.remove(func)


def completion_rules() -> list[CompletionRule]:
    return list(_rules)


# --- After a completion ------------------------------------------------------------------
# Other apps react to a new CourseCompletion (the certificates app issues a certificate)
# without courses importing them. A callback runs inside the transaction that writes the
# completion, once per completion (never for one that already existed), so what it
# writes commits or rolls back with it:
#
#     from courses.completion import on_course_completed
#
#     @on_course_completed
#     def issue(*, completion) -> None: ...

CompletionCallback = Callable[..., object]
_completed_callbacks: list[CompletionCallback] = []


def on_course_completed(func: CompletionCallback) -> CompletionCallback:
    if func not in _completed_callbacks:
        _completed_callbacks.append(func)
    return func


def on_course_completed_unregister(func: CompletionCallback) -> None:
    if func in _completed_callbacks:
        _completed_callbacks.remove(func)


def course_completed_callbacks() -> list[CompletionCallback]:
    return list(_completed_callbacks)
