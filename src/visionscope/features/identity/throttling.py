"""Sign-in and registration throttles, per account and per client address, shared by the API and
the web forms: after a few attempts each further one waits twice as long (429 with Retry-After).

A refused attempt is not tried at all, so a throttled password guess learns nothing, not even
whether it was right.
"""

from __future__ import annotations

from dataclasses import dataclass

from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.rate_limits import Allowance, Throttle
from visionscope.config import Settings
from visionscope.features.identity.commands import RegisterUser, SignIn
from visionscope.features.identity.schemas import TokenPair, UserRead


def _account(email: str) -> str:
    return "signin-account:" + email.strip().lower()[:320]


@dataclass
class SignInThrottle:
    throttle: Throttle
    per_account: int
    per_address: int
    registrations: int

    @classmethod
    def from_settings(cls, throttle: Throttle, settings: Settings) -> SignInThrottle:
        return cls(
            throttle,
            settings.signin_failures_per_account,
            settings.signin_failures_per_address,
            settings.registrations_per_address,
        )

    async def sign_in(
        self, mediator: Mediator, ctx: Context, *, email: str, password: str, address: str
    ) -> TokenPair:
        account = _account(email)
        await self.throttle.admit(
            Allowance("signin-address:" + address, self.per_address),
            Allowance(account, self.per_account),
            what="sign-in",
        )
        tokens: TokenPair = await mediator.send(SignIn(email=email, password=password), ctx)
        # A good password clears the account's count; the address keeps all but this attempt.
        await self.throttle.forget(account)
        await self.throttle.forget("signin-address:" + address, one=True)
        return tokens

    async def register(
        self, mediator: Mediator, ctx: Context, command: RegisterUser, *, address: str
    ) -> UserRead:
        await self.throttle.admit(
            Allowance("register-address:" + address, self.registrations), what="sign-up"
        )
        user: UserRead = await mediator.send(command, ctx)
        return user
