"""API test fixtures: the shared small registry and bearer-token headers per role."""
import pytest

from matchmaker.services import auth
from tests.services.world import actor, build_world

ROLES = ("firm_own", "firm_other", "county_staff", "city_staff", "province_staff", "other_province_staff",
         "admin", "anonymous")


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def as_role(world):
    """Headers authenticating as a role of the world ({} for anonymous)."""
    cache = {}

    def headers(role):
        if role == "anonymous":
            return {}
        if role not in cache:
            cache[role] = {"Authorization": f"Bearer {auth.issue_token(actor(world, role))}"}
        return cache[role]

    return headers
