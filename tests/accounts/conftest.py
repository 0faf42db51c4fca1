import pytest


@pytest.fixture(autouse=True)
def eager_celery():
    """Invitation e-mails are Celery tasks: run them in-process here (after commit, as the
    worker would); tests/accounts/test_invitation_task.py checks claiming and re-runs."""
    from zhengai.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
