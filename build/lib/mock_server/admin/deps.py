"""The admin protocol implementation the control-plane app serves, as a dependency."""

from typing import Annotated, cast

from fastapi import Depends, Request

from mock_server.admin.protocol import Admin


async def admin_of(request: Request) -> Admin:
    return cast(Admin, request.app.state.admin)


AdminDep = Annotated[Admin, Depends(admin_of)]
