"""Who may use the staff API (moderation, the newsroom desk): staff members, signed in
by session (the admin) or token, with the same Django model permissions the admin asks
for on the view's model: `view` to read, `change` for every write."""

from __future__ import annotations

from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import DjangoModelPermissions, IsAdminUser

_VIEW = ["%(app_label)s.view_%(model_name)s"]
_CHANGE = ["%(app_label)s.change_%(model_name)s"]


class ModelPermissionsAsInTheAdmin(DjangoModelPermissions):
    """The view's model: view for safe methods, change for every other one."""

    perms_map = {
        "GET": _VIEW,
        "HEAD": _VIEW,
        "OPTIONS": _VIEW,
        "POST": _CHANGE,
        "PUT": _CHANGE,
        "PATCH": _CHANGE,
        "DELETE": _CHANGE,
    }


# Mixed into every staff view, before DRF's view class. No docstring: the OpenAPI
# description of a view without its own would be this class's.
class StaffOnly:
    permission_classes = [IsAdminUser, ModelPermissionsAsInTheAdmin]
    authentication_classes = [SessionAuthentication, TokenAuthentication]
