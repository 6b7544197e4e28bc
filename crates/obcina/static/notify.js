// Notification settings: web push subscription and "use my position".
// Without JavaScript the form still works; these buttons stay hidden.
(function () {
  const status = document.getElementById('push-status');
  const button = document.getElementById('push-subscribe');
  const b64 = (s) => {
    const pad = '='.repeat((4 - (s.length % 4)) % 4);
    const raw = atob((s + pad).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  if (button && 'serviceWorker' in navigator && 'PushManager' in window) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        const permission = await Notification.requestPermission();
        if (permission !== 'granted') { status.textContent = button.dataset.denied || ''; return; }
        const reg = await navigator.serviceWorker.register('/sw.js');
        const key = await (await fetch('/api/v1/notify/push/key')).json();
        const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(key.public_key) });
        const json = sub.toJSON();
        const resp = await fetch('/api/v1/notify/push/subscriptions', {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth }),
        });
        status.textContent = resp.ok ? (button.dataset.on || 'OK') : String(resp.status);
      } catch (e) {
        status.textContent = String(e);
      }
    });
  }
  const here = document.getElementById('area-here');
  if (here && 'geolocation' in navigator) {
    here.hidden = false;
    here.addEventListener('click', () => navigator.geolocation.getCurrentPosition((pos) => {
      document.getElementById('area_lat').value = pos.coords.latitude.toFixed(5);
      document.getElementById('area_lon').value = pos.coords.longitude.toFixed(5);
      const km = document.getElementById('area_km');
      if (!km.value) km.value = '2';
    }));
  }
})();
