"""URLs of the caseworker's workplace, one namespace per navigation area."""

from django.urls import include, path

from privacy import views as privacy_views

from .views import appointments, cases, clients, dashboard, network

case_patterns = [
    path("", cases.case_list, name="list"),
    path("uebergabe/", cases.bulk_reassign, name="bulk_reassign"),
    path("uebergabe/ergebnis/", cases.bulk_reassign_result, name="bulk_reassign_result"),
    path("<int:pk>/", cases.case_detail, name="detail"),
    path("<int:pk>/eingabe/<slug:slug>/", cases.case_panel, name="panel"),
    path("<int:pk>/kontakt/", cases.contact_add, name="add_contact"),
    path("<int:pk>/ziel/", cases.goal_add, name="add_goal"),
    path("<int:pk>/ziel/<int:goal_pk>/status/", cases.goal_status, name="goal_status"),
    path("<int:pk>/vermittlung/", cases.referral_add, name="add_referral"),
    path("<int:pk>/vermittlung/rueckmeldung/", cases.referral_outcome, name="referral_outcome"),
    path("<int:pk>/wiedervorlage/", cases.follow_up_add, name="add_follow_up"),
    path("<int:pk>/wiedervorlage/<int:follow_up_pk>/erledigt/", cases.follow_up_done, name="follow_up_done"),
    path(
        "<int:pk>/wiedervorlage/<int:follow_up_pk>/wieder-oeffnen/",
        cases.follow_up_reopen,
        name="follow_up_reopen",
    ),
    path("<int:pk>/dokument/", cases.document_add, name="add_document"),
    path("<int:pk>/dokument/<int:document_pk>/", cases.document_download, name="document"),
    path("<int:pk>/einwilligung/", cases.consent_add, name="add_consent"),
    path("<int:pk>/einwilligung/formular/", cases.consent_form, name="blank_consent_form"),
    path("<int:pk>/einwilligung/<int:consent_pk>/formular/", cases.consent_form, name="consent_form"),
    path(
        "<int:pk>/einwilligung/<int:consent_pk>/widerrufen/", cases.consent_withdraw, name="withdraw_consent"
    ),
    path("<int:pk>/termin/", appointments.appointment_add, name="add_appointment"),
    path(
        "<int:pk>/termin/<int:appointment_pk>/stattgefunden/",
        appointments.appointment_took_place,
        name="appointment_took_place",
    ),
    path("<int:pk>/phase/", cases.phase_change, name="change_phase"),
    path("<int:pk>/uebergabe/", cases.reassign, name="reassign"),
]

client_patterns = [
    path("", clients.client_list, name="list"),
    path("neu/", clients.client_create, name="create"),
    path("<int:pk>/", clients.client_detail, name="detail"),
    path("<int:pk>/bearbeiten/", clients.client_edit, name="edit"),
    path("<int:pk>/fall-eroeffnen/", clients.client_open_case, name="open_case"),
    # Right of access (Art. 15/20 GDPR): the views live in the privacy app.
    path("<int:pk>/auskunft/", privacy_views.client_export_html, name="export_html"),
    path("<int:pk>/auskunft.json", privacy_views.client_export_json, name="export_json"),
]

network_patterns = [
    path("", network.actor_list, name="list"),
    path("neu/", network.actor_create, name="create"),
    path("<int:pk>/", network.actor_detail, name="detail"),
    path("<int:pk>/bearbeiten/", network.actor_edit, name="edit"),
]

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("kontakt/", dashboard.quick_contact, name="quick_contact"),
    path("kontakt/formular/", dashboard.quick_contact_form, name="quick_contact_form"),
    path("faelle/", include((case_patterns, "cases"))),
    path("klienten/", include((client_patterns, "clients"))),
    path("netzwerk/", include((network_patterns, "network"))),
    path("kalender/", appointments.calendar_settings, name="calendar_settings"),
    # The calendar program's address: the token is its only authentication (no session).
    path("kalender/<int:user_pk>/<str:token>/termine.ics", appointments.calendar_feed, name="calendar_feed"),
]
