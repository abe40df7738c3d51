// The "connection lost" banner: shown when a request cannot reach the server, hidden when one does.
let probing = null;

function banner() {
  return document.getElementById('connection');
}

export function connectionLost() {
  const box = banner();
  if (!box) return;
  box.hidden = false;
  box.className = 'connection connection-lost';
  box.textContent = 'Connection lost. Trying again…';
  if (!probing) probing = window.setInterval(probe, 5000);
}

export function connectionBack() {
  const box = banner();
  if (!probing || !box) return;
  window.clearInterval(probing);
  probing = null;
  box.className = 'connection connection-back';
  box.textContent = 'Connected again.';
  window.setTimeout(() => { if (!probing) box.hidden = true; }, 3000);
}

async function probe() {
  try {
    const response = await fetch('/healthz', { cache: 'no-store' });
    if (response.ok) connectionBack();
  } catch {
    // still offline: the next probe tries again
  }
}

window.addEventListener('offline', connectionLost);
window.addEventListener('online', probe);
