// A workspace's projects, and a form for a new one (editors and up).
import { allItems, api } from '../api.js';
import { startShell } from '../shell.js';
import { $, bodyData, clear, date, h, pageReady, showProblem } from '../ui.js';

const workspaceId = bodyData('workspaceId');

async function showProjects() {
  const projects = await allItems(`/v1/workspaces/${workspaceId}/projects`);
  const list = $('#project-list');
  list.removeAttribute('aria-busy');
  clear(list, projects.length ? projects.map((project) => h('li', { class: 'card card-link' },
    h('a', { href: `/p/${project.id}` }, h('span', { class: 'card-title' }, project.name)),
    h('p', { class: 'muted' }, `Created ${date(project.created_at)}`)))
    : h('li', { class: 'empty' }, 'No projects yet.'));
}

async function main() {
  $('#project-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    try {
      const project = await api(`/v1/workspaces/${workspaceId}/projects`, {
        method: 'POST', json: { name: form.name.value },
      });
      window.location.assign(`/p/${project.id}`);
    } catch (error) {
      showProblem($('#project-form-error'), error, { workspaceId });
    }
  });
  const { workspace } = await startShell({ workspaceId, page: 'projects' });
  if (workspace) $('#workspace-name').textContent = workspace.name;
  await showProjects();
}

main().catch((error) => showProblem($('#page-error'), error, { workspaceId })).finally(pageReady);
