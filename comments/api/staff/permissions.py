"""Who may use the staff API: staff members, signed in by session (the admin) or token."""

from __future__ import annotations

from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAdminUser


# Mixed into every staff view, before DRF's view class. No docstring: the OpenAPI
# description of a view without its own would be this class's.
class StaffOnly:
    permission_classes = [IsAdminUser]
    authentication_classes = [SessionAuthentication, TokenAuthentication]
