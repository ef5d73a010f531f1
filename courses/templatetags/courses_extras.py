"""Template tags of the courses app that other apps' pages use.

    {% load courses_extras %}{% continue_learning %}
"""

from django import template

from courses.continue_learning import continue_learning_for

register = template.Library()


@register.inclusion_tag("courses/includes/continue_learning.html", takes_context=True)
def continue_learning(context) -> dict:
    """The “Tiếp tục học” block for a signed-in learner (one query); nothing otherwise."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"item": continue_learning_for(learner=user, request=request) if user is not None else None}
