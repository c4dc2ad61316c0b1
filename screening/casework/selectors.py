"""Reads of cases that are more than one line: possible duplicates of a case."""

from django.db.models import Q

from screening.casework.models import Case


def possible_duplicates(case: Case, limit: int = 10) -> list[dict]:
    """Other cases with the same date of birth and family name, or the same e-mail address: the
    reference, day received and status (label) the case page lists for each."""
    identity = case.intake.identity
    same = Q()
    if identity.date_of_birth and identity.family_name_folded:
        same |= Q(
            intake__identity__date_of_birth=identity.date_of_birth,
            intake__identity__family_name_folded=identity.family_name_folded,
        )
    if identity.email:
        same |= Q(intake__identity__email__iexact=identity.email)
    if not same:
        return []
    statuses = dict(Case.Status.choices)
    return [
        {"reference": reference, "received_at": received_at, "status": statuses[status]}
        for reference, received_at, status in Case.objects.filter(same)
        .exclude(pk=case.pk)
        .order_by("-received_at")
        .values_list("intake__reference", "received_at", "status")[:limit]
    ]
