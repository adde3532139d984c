from celery import shared_task

from foundation import jobs


@shared_task(name="arras_quartiers.tasks.resend_stuck_jobs", ignore_result=True)
def resend_stuck_jobs() -> int:
    return jobs.resend_stuck_jobs()
