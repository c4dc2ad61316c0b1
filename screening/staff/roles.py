"""Staff roles: Django groups with exactly these permissions (least privilege). Created by migration."""

ROLE_PERMISSIONS: dict[str, set[tuple[str, str]]] = {
    # Works cases: reads them (every read audited), changes their status, exports without identity.
    "Coordinator": {
        ("screening", "view_case"),
        ("screening", "change_case"),
        ("screening", "export_case"),
        ("screening", "add_casenote"),
        ("screening", "view_scanreport"),
        ("screening", "add_treatment"),
    },
    # A clinician who reads cases and their scan reports (every read audited), adds clinical notes and
    # records treatments;
    # no changes to a case's status, no exports, no rules, no accounts (shared/DESIGN.md).
    "Specialist": {
        ("screening", "view_case"),
        ("screening", "add_casenote"),
        ("screening", "view_scanreport"),
        ("screening", "add_treatment"),
    },
    # Manages staff accounts (each grant approved by a second clinic admin) and reads the whole audit log;
    # never patient data (accounts.py refuses an account that would hold both).
    "Clinic admin": {
        ("auth", "view_user"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_group"),
        ("screening", "view_auditevent"),
        ("screening", "view_all_auditevent"),
        ("screening", "view_outgoingemail"),
        ("screening", "view_approvalrequest"),
        ("screening", "approve_account_change"),
    },
    # Edits and publishes the screening rules; sees no patient identity.
    "Rules admin": {
        ("screening", "view_ruledraft"),
        ("screening", "add_ruledraft"),
        ("screening", "change_ruledraft"),
        ("screening", "delete_ruledraft"),
        ("screening", "view_conditiondraft"),
        ("screening", "add_conditiondraft"),
        ("screening", "change_conditiondraft"),
        ("screening", "delete_conditiondraft"),
        ("screening", "view_nextstep"),
        ("screening", "change_nextstep"),
        ("screening", "view_rulesetversion"),
        ("screening", "publish_rulesetversion"),
        ("screening", "view_ruletestcase"),
        ("screening", "add_ruletestcase"),
        ("screening", "change_ruletestcase"),
        ("screening", "delete_ruletestcase"),
        ("screening", "view_approvalrequest"),
        ("screening", "view_auditevent"),
    },
    # A clinician who signs off the rules: reads the draft, its preview and test results, and approves
    # (publishes) or sends back a draft another rules admin submitted. Often held with "Rules admin".
    "Rules approver": {
        ("screening", "view_ruledraft"),
        ("screening", "view_conditiondraft"),
        ("screening", "view_nextstep"),
        ("screening", "view_rulesetversion"),
        ("screening", "view_ruletestcase"),
        ("screening", "view_approvalrequest"),
        ("screening", "approve_rulesetversion"),
        ("screening", "view_auditevent"),
    },
}


# What makes an account one that reads patient data, and one that manages accounts: an account never holds
# both (a person who does both has two accounts). Checked on the permissions, so a new role counts too.
READS_PATIENT_DATA = {
    "screening.view_case",
    "screening.export_identifiable_case",
    "screening.view_scanreport",
}
MANAGES_ACCOUNTS = {"auth.add_user", "auth.change_user", "screening.approve_account_change"}
# Roles whose work is in the Django admin, which needs "staff status" (derived, never set by hand).
ADMIN_SITE_ROLES = {"Rules admin", "Rules approver", "Clinic admin"}


def ensure_groups(apps, roles: dict[str, set[tuple[str, str]]] | None = None) -> None:
    """Create or correct each role's group so it holds exactly its permissions. Idempotent.

    A migration passes the roles as they were when it was written (it knows only the models of its time);
    tests and later code use ROLE_PERMISSIONS, and a test holds the migrated groups to it."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in (ROLE_PERMISSIONS if roles is None else roles).items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in sorted(wanted)
        ]
        group.permissions.set(permissions)
