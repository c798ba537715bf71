"""Background tasks go through Redis to a worker when REDIS_URL is set (production)."""

import os
import uuid

import pytest
from django.test import override_settings
from django_tasks import task
from django_tasks.base import TaskResultStatus

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@task()
def add(a: int, b: int) -> int:
    return a + b


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis server at TEST_REDIS_URL")
def test_a_task_enqueued_through_redis_runs_on_a_worker_and_reports_its_result():
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = f"tests-{uuid.uuid4().hex[:8]}"
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}},
        RQ_QUEUES={"default": {"URL": REDIS_URL}, queue: {"URL": REDIS_URL}},
    ):
        try:
            result = add.using(queue_name=queue).enqueue(2, 3)
            assert result.status == TaskResultStatus.READY
            rq_queue = django_rq.get_queue(queue, job_class=Job)
            SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=Job).work(burst=True)
            done = add.get_result(result.id)
            assert done.status == TaskResultStatus.SUCCESSFUL
            assert done.return_value == 5
        finally:
            django_rq.get_queue(queue).empty()
