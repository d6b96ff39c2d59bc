from django.http import Http404

from .models import Job


def job_for_user(*, user, pk) -> Job:
    """The job, if `user` started it; 404 otherwise (also for superusers: a job's file is the
    data its owner was allowed to see, not necessarily what another account may)."""
    job = Job.objects.filter(pk=pk, owner=user).first()
    if job is None:
        raise Http404
    return job
