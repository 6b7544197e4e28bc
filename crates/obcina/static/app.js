// Progressive enhancement only: the portal works without JavaScript.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}
