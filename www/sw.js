// The playground's service worker: after the first visit the site works offline. On install it
// caches every file of the site (the list pkg/site-files.json is written by scripts/build.sh);
// requests to this site go to the network first and fall back to the cache, so an online visit
// always sees the newest build. Requests to other origins are not touched (the site makes none).

const CACHE = 'cnn-playground';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const response = await fetch(new URL('pkg/site-files.json', self.registration.scope), { cache: 'no-store' });
    const files = await response.json();
    await cache.addAll(['./', ...files].map((f) => new URL(f, self.registration.scope)));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) {
        const cache = await caches.open(CACHE);
        await cache.put(request, response.clone());
      }
      return response;
    } catch (error) {
      const cached = await caches.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw error;
    }
  })());
});
