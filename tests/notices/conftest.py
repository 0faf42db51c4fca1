import pytest


@pytest.fixture
def eager_celery():
    """Run tasks in-process (the real-worker test uses a real worker instead)."""
    from zhengai.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield app
    app.conf.task_always_eager = False
