"""Web forms of organisations joining: register one (with its business licence), ask to join,
claim one (with evidence), add evidence, the reasons of decisions, invite members and change
their roles. Forms validate and shape input only; the views hand `cleaned_data` to the
services, which check permissions and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.choices import MemberRole, OrganizationKind
from marketplace.models import ORGANIZATION_CONTACT_FIELDS, ORGANIZATION_DETAIL_FIELDS, Organization
from marketplace.services.joining import MESSAGE_MAX_CHARS
from marketplace.services.organizations import REASON_MAX_CHARS
from marketplace.validators import validate_visible_text

_EVIDENCE_HELP = _("Business licence (营业执照) or registration certificate: PDF, PNG or JPEG.")


class OrganizationForm(forms.ModelForm[Organization]):
    """Register an organisation: its details, contact details and its business licence."""

    file = forms.FileField(label=_("business licence"), help_text=_EVIDENCE_HELP)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = [*ORGANIZATION_DETAIL_FIELDS, *ORGANIZATION_CONTACT_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The one check of organisation texts (also the API's and the services').
            if type(field) is forms.CharField:
                field.validators.append(validate_visible_text)
        # Transfer centres are registered by brokers (the service refuses others).
        kind = self.fields["kind"]
        if isinstance(kind, forms.ChoiceField):
            kind.choices = [
                (code, label) for code, label in OrganizationKind.choices
                if code != OrganizationKind.TRANSFER_CENTRE
            ]


class OrganizationEditForm(OrganizationForm):
    """Change an organisation's details (its administrators, brokers): the registration's
    fields without the business licence (evidence is added on the organisation's page). Only
    brokers change the type (`organization_update` refuses others); for them every type is
    offered."""

    file = None  # type: ignore[assignment]  # Django's way to drop a parent form's field

    def __init__(self, *args: Any, may_change_kind: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        if may_change_kind and isinstance(kind, forms.ChoiceField):
            kind.choices = OrganizationKind.choices
        else:
            kind.disabled = True


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("business licence"), help_text=_EVIDENCE_HELP)


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("message"), required=False, max_length=MESSAGE_MAX_CHARS,
        help_text=_("Who you are in the organisation (optional)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimForm(forms.Form):
    """Claim an organisation nobody represents yet: the evidence and who the claimant is."""

    file = forms.FileField(
        label=_("evidence"),
        help_text=_(
            "Business licence (营业执照) or a letter authorising you to act for the "
            "organisation: PDF, PNG or JPEG. Only you and the brokers can open it."
        ),
    )
    message = forms.CharField(
        label=_("message"), required=False, max_length=MESSAGE_MAX_CHARS,
        help_text=_("Who you are in the organisation (optional)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    """The reason of a decision: required to reject an organisation (the service says so)."""

    reason = forms.CharField(
        label=_("reason"), required=False, max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InvitationForm(forms.Form):
    """Invite an e-mail address to become a member with a role."""

    email = forms.EmailField(label=_("e-mail address"))
    role = forms.ChoiceField(label=_("role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=MemberRole.choices)
