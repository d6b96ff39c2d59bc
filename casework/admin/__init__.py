"""Admin for the network, the catalogues, clients and cases.

The admin is for administrators, and the case tables grow to hundreds of thousands
of rows. Hence, on every big table:

- no full (unfiltered) count, no facet counts, no `date_hierarchy`: each of them
  scans the whole table on every page view;
- `list_select_related` names exactly the relations the columns show, so a page
  of results is one query;
- search uses prefix (`^`) and exact (`=`) lookups, and an Aktenzeichen typed into
  the search box is looked up exactly through its unique index;
- list filters offer small, fixed choices (catalogues, regions, dates); a filter
  whose choices come from a `SELECT DISTINCT` over the big table is never used;
- every foreign key is an autocomplete field rather than a `<select>` of all rows.

Writes follow the rule of `services.py`: a case is opened, handed over and takes
new entries only through the service functions, so the reference number, the
phase history and the handover record are written exactly as in the product.
"""

from .bridge import (
    ENTRY_CREATORS,
    ENTRY_MANAGED_FIELDS,
    _adopt,
    _entry_values,
    create_entry,
    save_entry_changes,
)
from .cases import (
    CaseAdmin,
    CaseAdminForm,
    CaseAssignmentAdmin,
    CaseAssignmentInline,
    CaseEntryInline,
    ContactInline,
    FollowUpInline,
    GoalInline,
    GoalStatusChangeAdmin,
    HistoryAdmin,
    PhaseChangeAdmin,
    PhaseChangeInline,
    ReferralInline,
    save_entry_formset,
)
from .catalogues import (
    LEGAL_FRAMEWORK_IN_USE,
    STILL_IN_USE,
    ActorTypeAdmin,
    CatalogueAdmin,
    ClosureReasonAdmin,
    DataCategoryAdmin,
    DeactivateInsteadMixin,
    LegalFrameworkAdmin,
    TopicAdmin,
)
from .entries import (
    CaseEntryAdmin,
    ConsentAdmin,
    ConsentValidityFilter,
    ContactAdmin,
    DocumentAddForm,
    DocumentAdmin,
    FollowUpAdmin,
    FollowUpStateFilter,
    GoalAdmin,
    GoalForm,
    GoalStatusChangeInline,
    ReferralAdmin,
    _delete_files_after_commit,
)
from .mixins import (
    ADMIN_VERSION_FIELD,
    CASE_MUNICIPALITY_OUTSIDE_DISTRICT,
    DOCUMENT_TOO_LARGE,
    OPENED_AFTER_CLOSED,
    OPENED_AFTER_FIRST_ENTRY,
    SUBJECT_HELP,
    CaseScopeMixin,
    LargeTableMixin,
    ReferenceSearchMixin,
    VersionedAdminForm,
    VersionedAdminMixin,
    make_active,
    make_inactive,
)
from .network import ActorAdmin, ActorAdminForm, ContactPersonAdmin, ContactPersonInline
from .people import (
    ClientAdmin,
    ClientCaseInline,
    ClientInline,
    HouseholdAdmin,
    HouseholdCaseInline,
    ReadOnlyInline,
    SubjectCaseInline,
)

__all__ = [
    "ADMIN_VERSION_FIELD",
    "ActorAdmin",
    "ActorAdminForm",
    "ActorTypeAdmin",
    "CASE_MUNICIPALITY_OUTSIDE_DISTRICT",
    "CaseAdmin",
    "CaseAdminForm",
    "CaseAssignmentAdmin",
    "CaseAssignmentInline",
    "CaseEntryAdmin",
    "CaseEntryInline",
    "CaseScopeMixin",
    "CatalogueAdmin",
    "ClientAdmin",
    "ClientCaseInline",
    "ClientInline",
    "ClosureReasonAdmin",
    "ConsentAdmin",
    "ConsentValidityFilter",
    "ContactAdmin",
    "ContactInline",
    "ContactPersonAdmin",
    "ContactPersonInline",
    "DOCUMENT_TOO_LARGE",
    "DataCategoryAdmin",
    "DeactivateInsteadMixin",
    "DocumentAddForm",
    "DocumentAdmin",
    "ENTRY_CREATORS",
    "ENTRY_MANAGED_FIELDS",
    "FollowUpAdmin",
    "FollowUpInline",
    "FollowUpStateFilter",
    "GoalAdmin",
    "GoalForm",
    "GoalInline",
    "GoalStatusChangeAdmin",
    "GoalStatusChangeInline",
    "HistoryAdmin",
    "HouseholdAdmin",
    "HouseholdCaseInline",
    "LEGAL_FRAMEWORK_IN_USE",
    "LargeTableMixin",
    "LegalFrameworkAdmin",
    "OPENED_AFTER_CLOSED",
    "OPENED_AFTER_FIRST_ENTRY",
    "PhaseChangeAdmin",
    "PhaseChangeInline",
    "ReadOnlyInline",
    "ReferenceSearchMixin",
    "ReferralAdmin",
    "ReferralInline",
    "STILL_IN_USE",
    "SUBJECT_HELP",
    "SubjectCaseInline",
    "TopicAdmin",
    "VersionedAdminForm",
    "VersionedAdminMixin",
    "_adopt",
    "_delete_files_after_commit",
    "_entry_values",
    "create_entry",
    "make_active",
    "make_inactive",
    "save_entry_changes",
    "save_entry_formset",
]
