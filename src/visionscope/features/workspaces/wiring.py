"""Workspaces' handler table."""

from __future__ import annotations

from visionscope.building_blocks.consumers import Subscription
from visionscope.building_blocks.mediator import Handler
from visionscope.building_blocks.wiring import bind
from visionscope.dependencies import HandlerDeps
from visionscope.features.workspaces import commands, handlers, queries


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    return {
        commands.CreateWorkspace: bind(handlers.create_workspace, clock=c.clock),
        commands.RenameWorkspace: bind(handlers.rename_workspace),
        commands.DeleteWorkspace: bind(handlers.delete_workspace, clock=c.clock),
        commands.AddCollaborator: bind(handlers.add_collaborator, clock=c.clock),
        commands.ChangeCollaboratorRole: bind(handlers.change_collaborator_role),
        commands.RemoveCollaborator: bind(handlers.remove_collaborator, clock=c.clock),
        commands.LeaveWorkspace: bind(handlers.leave_workspace, clock=c.clock),
        commands.TransferOwnership: bind(handlers.transfer_ownership),
        commands.CreateProject: bind(handlers.create_project, clock=c.clock),
        commands.DeleteProject: bind(handlers.delete_project, clock=c.clock),
        queries.ListWorkspaces: bind(handlers.list_workspaces),
        queries.GetWorkspace: bind(handlers.get_workspace),
        queries.ListCollaborators: bind(handlers.list_collaborators),
        queries.ListProjects: bind(handlers.list_projects),
        queries.GetProject: bind(handlers.get_project),
    }


def event_subscriptions(c: HandlerDeps) -> list[Subscription]:
    return []
