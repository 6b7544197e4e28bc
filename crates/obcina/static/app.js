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

// The staff map of devices (Leaflet from npm, loaded by the page itself).
// Deferred scripts run in order, so wait until leaflet.js has run too.
window.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-device-map]').forEach(async (el) => {
    if (!window.L) return;
    const labels = JSON.parse(el.dataset.labels);
    const map = L.map(el, { preferCanvas: true }).setView([46.42, 15.87], 13);
    L.tileLayer(el.dataset.tiles, {
      maxZoom: Number(el.dataset.maxZoom),
      attribution: el.dataset.attribution,
      // The tile server's usage policy asks for a Referer: send our origin only.
      referrerPolicy: 'strict-origin-when-cross-origin',
    }).addTo(map);
    // Shape and colour both tell the state (colour alone is not enough).
    const styles = {
      reporting: { radius: 5, color: '#1b5e20', weight: 1, fillColor: '#2e7d32', fillOpacity: 0.9 },
      silent: { radius: 7, color: '#b71c1c', weight: 3, fillColor: '#ffffff', fillOpacity: 1 },
      maintenance: { radius: 6, color: '#7a4a00', weight: 2, dashArray: '3 3', fillOpacity: 0 },
      retired: { radius: 3, color: '#555555', weight: 1, fillColor: '#555555', fillOpacity: 0.6 },
    };
    const resp = await fetch(el.dataset.source, { cache: 'no-store' });
    if (!resp.ok) return;
    const data = await resp.json();
    const popup = (p) => {
      const box = document.createElement('div');
      const link = document.createElement('a');
      link.href = `/staff/sensors/devices/${encodeURIComponent(p.key)}`;
      link.textContent = p.name;
      const line = document.createElement('p');
      line.textContent = `${p.type} · ${labels[p.state] || p.state}`;
      box.append(link, line);
      return box;
    };
    const layer = L.geoJSON(data, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, styles[f.properties.state] || styles.reporting),
      onEachFeature: (f, l) => l.bindPopup(() => popup(f.properties)),
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
    const summary = document.getElementById('map-summary');
    if (summary) summary.textContent = summary.dataset.template.replace(/\u2068?§\u2069?/, String(data.features.length));
  });
});

// Alert areas (Leaflet): shown on alert pages; on the staff form a click on
// the map adds a point to the polygon field, which stays the source of truth
// (it can be typed or pasted as well).
window.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-area-map]').forEach((el) => {
    if (!window.L) return;
    const map = L.map(el).setView([46.42, 15.87], 13);
    L.tileLayer(el.dataset.tiles, {
      maxZoom: Number(el.dataset.maxZoom),
      attribution: el.dataset.attribution,
      referrerPolicy: 'strict-origin-when-cross-origin',
    }).addTo(map);
    const form = el.closest('form');
    const field = (id) => (form ? form.querySelector(`#${id}`) : null);
    const pairs = (text) => (text || '').trim().split(/\s+/).map((p) => p.split(',').map(Number)).filter((p) => p.length === 2 && p.every(Number.isFinite));
    let shape = null;
    const draw = (fit) => {
      if (shape) shape.remove();
      shape = null;
      const polygon = form ? (field('area_polygon').value) : el.dataset.polygon;
      const circle = form
        ? [field('area_circle_lat').value, field('area_circle_lon').value, field('area_circle_radius_km').value].map((v) => Number(String(v).replace(',', '.')))
        : (el.dataset.circle || '').split(/[\s,]+/).map(Number);
      const kind = form ? (form.querySelector('input[name=shape]:checked') || {}).value : (el.dataset.polygon ? 'polygon' : 'circle');
      if (kind === 'polygon' && pairs(polygon).length) {
        shape = L.polygon(pairs(polygon), { color: '#a4161a', weight: 3 }).addTo(map);
      } else if (kind === 'circle' && circle.length === 3 && circle.every((v) => Number.isFinite(v) && v !== 0)) {
        shape = L.circle([circle[0], circle[1]], { radius: circle[2] * 1000, color: '#a4161a', weight: 3 }).addTo(map);
      }
      if (shape && fit) map.fitBounds(shape.getBounds(), { maxZoom: 16 });
    };
    if (form) {
      map.on('click', (e) => {
        const p = field('area_polygon');
        p.value = `${p.value.trim()} ${e.latlng.lat.toFixed(5)},${e.latlng.lng.toFixed(5)}`.trim();
        const radio = form.querySelector('input[name=shape][value=polygon]');
        if (radio) radio.checked = true;
        draw(false);
      });
      const clear = document.createElement('button');
      clear.type = 'button';
      clear.className = 'secondary';
      clear.textContent = el.dataset.clearLabel;
      clear.addEventListener('click', () => { field('area_polygon').value = ''; draw(false); });
      el.after(clear);
      form.addEventListener('input', () => draw(false));
    }
    draw(true);
  });
});

// Participatory budget, cumulative ballot: the points left, announced politely.
document.querySelectorAll('form[data-ballot="cumulative"]').forEach((form) => {
  const total = Number(form.dataset.total || 0);
  const out = form.querySelector('#points-left');
  if (!out) return;
  const template = out.dataset.leftTemplate || '{left} / {total}';
  const update = () => {
    let used = 0;
    form.querySelectorAll('input[data-points]').forEach((i) => { used += Math.max(0, Number(i.value) || 0); });
    out.textContent = template.replace('{left}', String(total - used)).replace('{total}', String(total));
  };
  form.addEventListener('input', update);
  update();
});

// Fault reports: the public map of reports (the same reports are listed on the page).
window.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-report-map]').forEach(async (el) => {
    if (!window.L) return;
    const labels = JSON.parse(el.dataset.labels);
    const map = L.map(el).setView([Number(el.dataset.lat), Number(el.dataset.lon)], 14);
    L.tileLayer(el.dataset.tiles, {
      maxZoom: Number(el.dataset.maxZoom),
      attribution: el.dataset.attribution,
      referrerPolicy: 'strict-origin-when-cross-origin',
    }).addTo(map);
    const resp = await fetch(el.dataset.source, { cache: 'no-store' });
    if (!resp.ok) return;
    const data = await resp.json();
    // Open: a filled circle; closed: a small hollow one (shape and colour, not colour alone).
    const style = (open) => (open
      ? { radius: 8, color: '#7a1d00', weight: 2, fillColor: '#c2410c', fillOpacity: 0.9 }
      : { radius: 5, color: '#1b5e20', weight: 2, fillColor: '#ffffff', fillOpacity: 1 });
    const popup = (p) => {
      const box = document.createElement('div');
      const link = document.createElement('a');
      link.href = p.url;
      link.textContent = `#${p.id} ${p.title}`;
      const line = document.createElement('p');
      line.textContent = labels[p.status] || p.status;
      box.append(link, line);
      return box;
    };
    const layer = L.geoJSON(data, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, style(f.properties.open)),
      onEachFeature: (f, l) => l.bindPopup(() => popup(f.properties)),
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 16 });
  });

  // The report form: pick the place on the map or take the phone's position;
  // both only fill the latitude and longitude fields, which work without them.
  document.querySelectorAll('form[data-report-form]').forEach((form) => {
    const lat = form.querySelector('#lat');
    const lon = form.querySelector('#lon');
    const status = form.querySelector('[data-locate-status]');
    let marker = null;
    let map = null;
    const put = (la, lo) => {
      lat.value = la.toFixed(6);
      lon.value = lo.toFixed(6);
      if (map) {
        if (marker) marker.setLatLng([la, lo]); else marker = L.circleMarker([la, lo], { radius: 9, color: '#0b4f8a', weight: 3, fillOpacity: 0.3 }).addTo(map);
      }
    };
    const el = form.querySelector('[data-pick-map]');
    if (el && window.L) {
      el.hidden = false;
      map = L.map(el).setView([Number(el.dataset.lat), Number(el.dataset.lon)], 15);
      L.tileLayer(el.dataset.tiles, { maxZoom: Number(el.dataset.maxZoom), attribution: el.dataset.attribution, referrerPolicy: 'strict-origin-when-cross-origin' }).addTo(map);
      map.on('click', (e) => put(e.latlng.lat, e.latlng.lng));
      if (lat.value && lon.value) put(Number(lat.value), Number(lon.value));
    }
    const locate = form.querySelector('[data-locate]');
    if (locate && 'geolocation' in navigator) {
      locate.hidden = false;
      locate.addEventListener('click', () => {
        status.textContent = locate.dataset.busy || '…';
        navigator.geolocation.getCurrentPosition((pos) => {
          put(pos.coords.latitude, pos.coords.longitude);
          if (map) map.setView([pos.coords.latitude, pos.coords.longitude], 17);
          status.textContent = locate.dataset.done || '';
        }, () => { status.textContent = locate.dataset.failed || ''; }, { timeout: 10000, enableHighAccuracy: true });
      });
    }
    // Only the chosen category's extra questions are shown (all of them without JavaScript).
    const category = form.querySelector('#category');
    const sync = () => form.querySelectorAll('fieldset[data-category]').forEach((fs) => { fs.hidden = fs.dataset.category !== category.value; });
    category.addEventListener('change', sync);
    sync();
  });
});
