// The tourist guide: the walking route on the map (Leaflet from npm, loaded
// before this file) as a line through numbered markers, the same stops as
// the list beside it, which needs no script; and on a public kiosk screen,
// back to the start page after the idle time.
(() => {
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  const routeMap = (el) => {
    const cfg = JSON.parse(el.dataset.config);
    const home = [cfg.origin.lat, cfg.origin.lon];
    const map = L.map(el).setView(home, 15);
    // A public kiosk leads nowhere else: the attribution stays, as text.
    const kiosk = document.body.hasAttribute('data-kiosk');
    if (kiosk) map.attributionControl.setPrefix(false);
    L.tileLayer(cfg.tiles, {
      maxZoom: cfg.maxZoom,
      attribution: kiosk ? cfg.attribution.replace(/<[^>]*>/g, '') : cfg.attribution,
      referrerPolicy: 'strict-origin-when-cross-origin',
    }).addTo(map);
    const mark = (latlng, text, title, cls) => L.marker(latlng, {
      keyboard: true,
      title,
      icon: L.divIcon({
        className: 'place-icon',
        iconSize: [32, 32],
        html: `<span class="route-mark ${cls}"><span aria-hidden="true">${esc(text)}</span><span class="visually-hidden">${esc(title)}</span></span>`,
      }),
    }).bindPopup(esc(title));
    const points = [home, ...cfg.stops.map((s) => [s.lat, s.lon]), home];
    L.polyline(points, { className: 'route-line', weight: 5 }).addTo(map);
    mark(home, 'i', cfg.origin.name, 'route-home').addTo(map);
    cfg.stops.forEach((s) => mark([s.lat, s.lon], String(s.n), `${s.n}. ${s.name}`, 'route-stop').addTo(map));
    map.fitBounds(L.latLngBounds(points), { maxZoom: 17, padding: [30, 30] });
    el.dataset.drawn = String(cfg.stops.length);
  };

  // A kiosk: any touch, key or pointer restarts the clock; when it runs
  // out, the next visitor gets a fresh start page.
  const kiosk = () => {
    const body = document.body;
    if (!body.hasAttribute('data-kiosk')) return;
    const idle = Number(body.dataset.idleSeconds || '120') * 1000;
    let timer;
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(() => { window.location.href = body.dataset.home || '/guide/kiosk'; }, idle);
    };
    ['pointerdown', 'keydown', 'touchstart', 'scroll'].forEach((e) => window.addEventListener(e, reset, { passive: true }));
    reset();
  };

  window.addEventListener('DOMContentLoaded', () => {
    if (window.L) document.querySelectorAll('[data-guide-map]').forEach(routeMap);
    kiosk();
  });
})();
