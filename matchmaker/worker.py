"""Entry point of a task worker (Flask's ``make_celery`` module):

    celery -A matchmaker.worker worker --loglevel INFO

It builds the application from the environment (``MATCHMAKER_DATABASE_URL``,
``MATCHMAKER_REDIS_URL`` or ``MATCHMAKER_BROKER_URL``, ...) and exposes its Celery app; the
tasks are in :mod:`matchmaker.tasks`. A forked pool process opens its own database connections.
"""
from celery.signals import worker_process_init

from matchmaker import create_app
from matchmaker.infra.extensions import db
from matchmaker.infra.queue import celery_app as _celery_of

flask_app = create_app()
celery_app = _celery_of(flask_app)


@worker_process_init.connect
def _own_connections(**kwargs):
    """A pool process forked from the main one must not share its database connections."""
    with flask_app.app_context():
        db.engine.dispose(close=False)
