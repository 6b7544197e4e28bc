// The public-display board refreshes its figures in place, without reloading
// the page (a reload would flash and reset a screen reader's position).
(() => {
  const main = document.querySelector('main[data-refresh-seconds]');
  if (!main) return;
  const seconds = Number(main.dataset.refreshSeconds) || 60;
  const refresh = async () => {
    try {
      const resp = await fetch(window.location.href, { headers: { Accept: 'text/html' }, cache: 'no-store' });
      if (!resp.ok) return;
      const doc = new DOMParser().parseFromString(await resp.text(), 'text/html');
      const fresh = doc.querySelector('main');
      if (fresh) main.innerHTML = fresh.innerHTML;
    } catch (_) {
      // Offline for a moment: keep showing the last figures.
    }
  };
  setInterval(refresh, seconds * 1000);
})();
