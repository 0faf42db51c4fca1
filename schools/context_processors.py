"""Put the user's role (and school, for school staff) into every template."""

from schools.permissions import role_of, school_of
from schools.roles import Role


def role(request):
    user_role = role_of(request.user)
    return {
        "user_role": user_role,
        "Role": Role,
        "user_school": school_of(request.user) if user_role == Role.SCHOOL_STAFF else None,
    }
