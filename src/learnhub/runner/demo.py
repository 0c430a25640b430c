"""Demo accounts created on the first start of the all-in-one mode."""

from __future__ import annotations

from dataclasses import dataclass

from learnhub.kit.runtime import ServiceRuntime
from learnhub.services.auth import service as auth_rules
from learnhub.services.auth.repository import any_account


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    display_name: str
    role: str


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.com", "learnhub-admin", "Ada Admin", "admin"),
    DemoAccount("instructor@example.com", "learnhub-instructor", "Ines Instructor", "instructor"),
    DemoAccount("learner1@example.com", "learnhub-learner", "Leo Learner", "learner"),
    DemoAccount("learner2@example.com", "learnhub-learner", "Lia Learner", "learner"),
)


async def seed_demo_accounts(auth: ServiceRuntime) -> bool:
    """Create the demo accounts if the platform has no account yet; True if it did."""
    async with auth.db.transaction() as session:
        if await any_account(session):
            return False
        context = auth.state["auth"]
        for account in DEMO_ACCOUNTS:
            await auth_rules.register(
                session,
                context,
                email=account.email,
                password=account.password,
                display_name=account.display_name,
                roles=(account.role,),
            )
    return True


def describe_demo_accounts() -> str:
    width = max(len(account.email) for account in DEMO_ACCOUNTS)
    lines = ["Demo accounts (e-mail / password):"]
    for account in DEMO_ACCOUNTS:
        lines.append(f"  {account.role:<10} {account.email:<{width}}  {account.password}")
    return "\n".join(lines)
