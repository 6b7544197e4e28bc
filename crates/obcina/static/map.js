// The map of places (Leaflet from npm, loaded before this file). Layers
// switch on and off with the checkboxes of the layer form (Tab to a box,
// Space to switch); every place has a focusable marker that opens its popup
// with Enter, lines and areas too. The same information is on /map/list,
// which needs no script. Also: the phone's position for the nearest
// defibrillator and for the list, only when asked.
(() => {
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  const placesMap = (el) => {
    const cfg = JSON.parse(el.dataset.config);
    const map = L.map(el).setView([46.4199, 15.8700], 14);
    L.tileLayer(cfg.tiles, {
      maxZoom: cfg.maxZoom,
      attribution: cfg.attribution,
      // The tile server's usage policy asks for a Referer: send our origin only.
      referrerPolicy: 'strict-origin-when-cross-origin',
    }).addTo(map);
    const name = (p) => p[`name_${cfg.lang}`] || p.name_sl;
    const popup = (p) => {
      const box = document.createElement('div');
      const link = document.createElement('a');
      link.href = p.url;
      link.textContent = name(p);
      const line = document.createElement('p');
      const facts = [cfg.layers[p.layer]];
      if (p.open_now !== undefined) facts.push(cfg.labels[p.open_now ? 'open-now' : 'closed-now']);
      if (p.wheelchair) facts.push(cfg.labels[`wheelchair-${p.wheelchair}`]);
      line.textContent = facts.join(' · ');
      box.append(link, line);
      // The first photo of this site, with its own alternative text in the reader's language.
      const photo = (p.photos || []).find((ph) => ph.url && ph.url.startsWith('/'));
      if (photo) {
        const img = document.createElement('img');
        img.src = photo.url;
        img.className = 'thumb';
        const alt = photo.alt || {};
        img.alt = alt[cfg.lang] || alt.sl || name(p);
        if (!alt[cfg.lang] && alt.sl) img.lang = 'sl';
        box.append(img);
      }
      return box;
    };
    // Shape and letter tell the layer, not the colour alone.
    const marker = (f, latlng) => L.marker(latlng, {
      keyboard: true,
      title: name(f.properties),
      icon: L.divIcon({
        className: 'place-icon',
        iconSize: [30, 30],
        html: `<span class="place-mark place-${esc(f.properties.layer)}"><span aria-hidden="true">${esc(cfg.marks[f.properties.layer] || '•')}</span><span class="visually-hidden">${esc(name(f.properties))}</span></span>`,
      }),
    }).bindPopup(() => popup(f.properties));
    const anchor = (f, l) => {
      const c = f.geometry.coordinates;
      if (f.geometry.type === 'LineString') { const m = c[Math.floor(c.length / 2)]; return L.latLng(m[1], m[0]); }
      return l.getBounds().getCenter();
    };
    const build = (data) => {
      const group = L.featureGroup();
      L.geoJSON(data, {
        style: (f) => ({ className: `place-shape place-shape-${f.properties.layer}`, weight: 5 }),
        pointToLayer: (f, latlng) => marker(f, latlng),
        onEachFeature: (f, l) => {
          if (f.geometry.type === 'Point') return;
          l.bindPopup(() => popup(f.properties));
          group.addLayer(marker(f, anchor(f, l)));
        },
      }).addTo(group);
      return group;
    };
    const fit = (groups) => {
      const b = L.latLngBounds([]);
      groups.forEach((g) => { if (g.getLayers().length) b.extend(g.getBounds()); });
      if (b.isValid()) map.fitBounds(b, { maxZoom: 16, padding: [20, 20] });
    };
    if (el.dataset.source) {
      fetch(el.dataset.source).then((r) => (r.ok ? r.json() : null)).then((f) => {
        if (!f) return;
        const g = build(f).addTo(map);
        fit([g]);
      });
      return;
    }
    const form = document.querySelector('form[data-layer-switch]');
    const listLink = document.querySelector('[data-list-link]');
    const loaded = {};
    const load = async (code) => {
      if (!loaded[code]) {
        const resp = await fetch(`/api/v1/places/layers/${encodeURIComponent(code)}.geojson`);
        if (!resp.ok) return null;
        loaded[code] = build(await resp.json());
      }
      return loaded[code].addTo(map);
    };
    const checked = () => [...form.querySelectorAll('input[name=layer]:checked')].map((i) => i.value);
    const syncLinks = () => {
      const qs = checked().map((c) => `layer=${encodeURIComponent(c)}`).join('&');
      if (listLink) listLink.href = `/map/list?${qs}`;
      history.replaceState(null, '', `/map?${qs}`);
    };
    form.addEventListener('change', async (e) => {
      const box = e.target;
      if (box.name !== 'layer') return;
      if (box.checked) await load(box.value);
      else if (loaded[box.value]) map.removeLayer(loaded[box.value]);
      el.dataset.shown = checked().join(' ');
      syncLinks();
    });
    Promise.all(checked().map(load)).then((groups) => {
      fit(groups.filter(Boolean));
      el.dataset.shown = checked().join(' ');
    });
  };

  // The phone's position, then `go(lat, lon)`; the status line tells what happens.
  const withPosition = (button, go) => {
    if (!button || !('geolocation' in navigator)) return;
    const status = document.querySelector('[data-locate-status]');
    button.hidden = false;
    button.addEventListener('click', () => {
      if (status) status.textContent = button.dataset.wait || '';
      navigator.geolocation.getCurrentPosition(
        (pos) => go(pos.coords.latitude.toFixed(5), pos.coords.longitude.toFixed(5)),
        () => {
          if (status) status.textContent = button.dataset.denied || '';
          const q = document.getElementById('q');
          if (q) q.focus();
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    });
  };

  window.addEventListener('DOMContentLoaded', () => {
    if (window.L) document.querySelectorAll('[data-places-map]').forEach(placesMap);
    withPosition(document.querySelector('[data-find-aed]'), (lat, lon) => {
      window.location.href = `/map/aed?lat=${lat}&lon=${lon}`;
    });
    // Staff import: a chosen file fills the text field, which the form sends.
    document.querySelectorAll('input[type=file][data-fills]').forEach((input) => {
      input.addEventListener('change', async () => {
        const file = input.files[0];
        if (file) document.getElementById(input.dataset.fills).value = await file.text();
      });
    });
    const form = document.querySelector('form[data-locate-form]');
    if (form) {
      withPosition(form.querySelector('[data-use-position]'), (lat, lon) => {
        form.querySelector('input[name=lat]').value = lat;
        form.querySelector('input[name=lon]').value = lon;
        form.querySelector('input[name=q]').value = '';
        form.submit();
      });
    }
  });
})();
