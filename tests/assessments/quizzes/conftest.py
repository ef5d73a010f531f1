import pytest

from tests.factories import UserFactory

from .builders import bank_with_quiz


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def quiz_bank(db):
    """(quiz, {name: question}, category): one question of each type, answers shown after submission."""
    return bank_with_quiz(shuffle_options=True)
