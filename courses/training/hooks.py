"""Other apps (the compliance dashboard) react to changed assignments without this app
importing them:

    from courses.training.hooks import on_assignment_changed

    @on_assignment_changed
    def mark_dirty(*, assignment_ids: list[int]) -> None: ...

Callbacks run inside the writing transaction, so what they write commits with it.
"""

from collections.abc import Callable

AssignmentCallback = Callable[..., object]
_callbacks: list[AssignmentCallback] = []


def on_assignment_changed(func: AssignmentCallback) -> AssignmentCallback:
    if func not in _callbacks:
        _callbacks.append(func)
    return func


def on_assignment_changed_unregister(func: AssignmentCallback) -> None:
    if func in _callbacks:
        _callbacks.remove(func)


def assignments_changed(*, assignment_ids: list[int]) -> None:
    """Tell every registered callback that these assignments changed."""
    if not assignment_ids:
        return
    ids = sorted(set(assignment_ids))
    for func in list(_callbacks):
        func(assignment_ids=ids)
