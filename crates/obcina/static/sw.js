// Service worker: makes the portal installable and shows an offline page for
// navigation when the network is gone. Pages are never cached (they may hold
// personal data); only static assets are.
const CACHE = 'obcina-static-v1';
const ASSETS = ['/static/app.css', '/static/app.js', '/static/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
    return;
  }
  if (event.request.mode === 'navigate') {
    event.respondWith(fetch(event.request).catch(() => new Response(
      '<!doctype html><html lang="sl"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Brez povezave</title><h1>Brez povezave / Offline</h1><p>Ni internetne povezave. Poskusite znova pozneje.</p><p lang="en">There is no internet connection. Please try again later.</p></html>',
      { headers: { 'Content-Type': 'text/html; charset=utf-8' } })));
  }
});

// Web push (RFC 8030): the hub sends {title, body, url}, encrypted for this browser.
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data ? event.data.text() : '' }; }
  event.waitUntil(self.registration.showNotification(data.title || 'Obvestilo', {
    body: data.body || '', icon: '/static/icon-192.png', data: { url: data.url || '/account/inbox' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
