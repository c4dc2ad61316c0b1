"""Routes of the screening app, namespaced ``screening:``. No URL carries patient data."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import TemplateView

from screening.casework import case_action_views as actions
from screening.casework import case_views, queue_views
from screening.intake import completion_views as completion
from screening.intake import page_views, resume_views, sending_views
from screening.staff import two_factor_views as two_factor
from screening.staff.passwords import ChangeOwnPasswordView, SetPasswordView
from screening.staff.sign_in import StaffAuthenticationForm

app_name = "screening"

urlpatterns = [
    path("", page_views.start, name="start"),
    path("intake/begin/", page_views.begin, name="begin"),
    path("language/", page_views.choose_language, name="language"),
    path("intake/your-form/", page_views.tasks, name="tasks"),
    path("intake/check-your-answers/", sending_views.check, name="check"),
    path("intake/submit/", sending_views.submit, name="submit"),
    path("intake/sent/", sending_views.receipt, name="receipt"),
    path("intake/start-again/", sending_views.start_again, name="start-again"),
    path("intake/check-height-and-weight/", page_views.check_body, name="check-body"),
    path("intake/safety-advice/", sending_views.safety_advice, name="safety-advice"),
    path("intake/resume/", resume_views.resume, name="resume"),
    path("intake/<slug:slug>/", page_views.page, name="page"),
    path("privacy/", resume_views.privacy, name="privacy"),
    path("complete/", completion.complete_form, name="complete-form"),
    path("complete/done/", completion.complete_done, name="complete-done"),
    path("complete/<str:token>/", completion.complete, name="complete"),
    path(
        "staff/login/",
        auth_views.LoginView.as_view(
            template_name="screening/staff/login.html",
            redirect_authenticated_user=True,
            authentication_form=StaffAuthenticationForm,
        ),
        name="staff-login",
    ),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    # A staff member sets a password from the link an approved account or reset e-mails them (not a
    # staff page: nobody is signed in); the token is in the address only at the first request.
    path(
        "account/set-password/<str:uidb64>/<str:token>/",
        SetPasswordView.as_view(),
        name="set-password",
    ),
    path(
        "account/set-password/done/",
        TemplateView.as_view(template_name="screening/staff/set_password_done.html"),
        name="set-password-done",
    ),
    path("staff/password/", ChangeOwnPasswordView.as_view(), name="staff-password"),
    path(
        "staff/password/done/",
        login_required(
            TemplateView.as_view(template_name="screening/staff/password_change_done.html")
        ),
        name="staff-password-done",
    ),
    path("staff/two-factor/", two_factor.verify, name="two-factor-verify"),
    path("staff/two-factor/setup/", two_factor.setup, name="two-factor-setup"),
    path("staff/session/keep-alive/", two_factor.keep_alive, name="keep-alive"),
    path("staff/", queue_views.queue_view, name="queue"),
    path("staff/cases/<str:reference>/", case_views.case_view, name="case"),
    path("staff/cases/<str:reference>/claim/", actions.claim_view, name="case-claim"),
    path("staff/cases/<str:reference>/status/", actions.status_view, name="case-status"),
    path("staff/cases/<str:reference>/assign/", actions.assign_view, name="case-assign"),
    path("staff/cases/<str:reference>/notes/", actions.note_view, name="case-note"),
    path("staff/cases/<str:reference>/contacts/", actions.contact_view, name="case-contact"),
    path("staff/cases/<str:reference>/rescreen/", actions.rescreen_view, name="case-rescreen"),
    path(
        "staff/cases/<str:reference>/completion-link/",
        actions.completion_link_view,
        name="case-completion-link",
    ),
    path("staff/cases/<str:reference>/complete-by-phone/", actions.amend_view, name="case-amend"),
    path("staff/cases/<str:reference>/book/", actions.book_view, name="case-book"),
    path("staff/cases/<str:reference>/fhir/", case_views.case_fhir_view, name="case-fhir"),
    path("staff/cases/<str:reference>/print/", case_views.case_print_view, name="case-print"),
    path("staff/cases/<str:reference>/treatments/", actions.treatment_view, name="case-treatment"),
    path(
        "staff/cases/<str:reference>/reports/add/", actions.report_add_view, name="case-report-add"
    ),
    path(
        "staff/cases/<str:reference>/reports/<str:name>",
        case_views.report_view,
        name="case-report",
    ),
    path("staff/export.csv", queue_views.queue_export_view, name="queue-export"),
]
