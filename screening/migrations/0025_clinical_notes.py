"""Existing databases: the default rules' notes that restated their thresholds or told rules admins how to edit
the rule (which a case page showed) become the new clinical notes, in the drafts, where a rules admin has
not changed them. Published versions never change: the next publication carries the new notes."""

from django.db import migrations

# key -> [the default note before, the default note now] (a frozen copy).
NOTES = {
    "info_new_pain_under_20": [
        "New back pain under 20 is not a red flag by itself here; shown for staff.",
        "New back pain in a young patient is not a red flag by itself here; shown for staff.",
    ],
    "ci_spinal_infection": [
        "Active spinal infection: regenerative injection is not appropriate. Ask also about earlier infection at the symptomatic level.",
        "An active infection in or near the spine: regenerative injection is not appropriate (seed articles, trial exclusions).",
    ],
    "ci_recent_facet_steroid": [
        "A steroid injection into the facet joint in the last 3 months: the trials wait at least 3 months.",
        "The trials wait at least 3 months after a steroid injection into the facet joint before treating.",
    ],
    "ci_recent_epidural": [
        "A epidural steroid injection in the last 3 months: the trials wait at least 3 months.",
        "The trials wait at least 3 months after an epidural steroid injection before treating.",
    ],
    "ci_recent_rfa": [
        "A radiofrequency ablation in the last 3 months: the trials wait at least 3 months.",
        "The trials wait at least 3 months after radiofrequency ablation before treating.",
    ],
    "sr_facet_candidate": [
        "Axial pain for 3 months or more, moderate or severe (average NRS 4 or more), conservative care failed, and two diagnostic blocks with at least 80% relief each (Medicare LCD). For the consensus alternative, one block at 50%: set the block count to 1, the best relief to 50, and delete the second-best condition.",
        "Signals of facet joint pain that conservative care did not relieve, confirmed by diagnostic medial branch blocks. The Medicare LCD and the 2020 consensus differ on the number of blocks and the relief they ask for; the conditions above are the clinic's.",
    ],
    "info_bmi_over_40": [
        "BMI over 40 (from height and weight).",
        "A BMI over 40 (from height and weight) is a precaution for injections in the trials.",
    ],
    "info_age_outside_trials": [
        "Outside 18-75 (an ADRC trial's range; CellKine took 40-70): informational only.",
        "Outside the age range of the trials (18-75 in an ADRC trial; CellKine took 40-70): informational only.",
    ],
}


def renew_notes(apps, schema_editor):
    RuleDraft = apps.get_model("screening", "RuleDraft")
    for key, (before, after) in NOTES.items():
        RuleDraft.objects.filter(key=key, explanation=before).update(explanation=after)


class Migration(migrations.Migration):
    dependencies = [("screening", "0024_urgent_again")]

    operations = [migrations.RunPython(renew_notes, migrations.RunPython.noop)]
