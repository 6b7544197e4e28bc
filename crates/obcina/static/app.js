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
