// Progressive enhancement only: the portal works without JavaScript.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}

// "Near me" on the environment page: the phone's position, only when asked.
document.querySelectorAll('[data-near-me]').forEach((link) => {
  if (!('geolocation' in navigator)) return;
  link.addEventListener('click', (e) => {
    e.preventDefault();
    navigator.geolocation.getCurrentPosition((pos) => {
      const { latitude, longitude } = pos.coords;
      window.location.href = `${link.getAttribute('href')}?lat=${latitude.toFixed(4)}&lon=${longitude.toFixed(4)}`;
    }, () => { window.location.href = link.getAttribute('href'); }, { timeout: 10000 });
  });
});

// Device import: upload in the background and show a live progress bar.
document.querySelectorAll('form[data-import-form]').forEach((form) => {
  form.addEventListener('submit', async (e) => {
    const file = form.querySelector('input[type=file]').files[0];
    if (!file || !window.fetch) return;
    e.preventDefault();
    const resp = await fetch('/api/v1/telemetry/imports', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: await file.text() });
    if (resp.status !== 202) { form.submit(); return; }
    const started = await resp.json();
    window.location.href = `/staff/sensors/import/${started.id}`;
  });
});
document.querySelectorAll('[data-import]').forEach((section) => {
  const bar = section.querySelector('#import-bar');
  const counts = section.querySelector('#import-counts');
  const poll = async () => {
    const resp = await fetch(`/api/v1/telemetry/imports/${section.dataset.import}`, { cache: 'no-store' });
    if (!resp.ok) return;
    const p = await resp.json();
    bar.value = p.done + p.failed;
    if (p.finished) { window.location.reload(); return; }
    counts.textContent = `${p.done + p.failed} / ${p.total}`;
    setTimeout(poll, 500);
  };
  if (bar && Number(bar.value) < Number(bar.max)) setTimeout(poll, 500);
});
