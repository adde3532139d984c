// Builds the service worker with Workbox (npm registry) into build/sw/sw.js, served by Django
// at /sw.js (arras_quartiers/views.py). Run by `make setup` / `make assets` and the Dockerfile.
//
// What it caches, and why:
// - The pages that must open with no network (the observation form, the queue « En attente
//   d'envoi », the live walk page, where notes are taken): network first, so a fresh form whenever online; the copy
//   kept is the one last seen online.
// - The shell under /static/ (CSS, JS, icons, fonts): served from the cache and refreshed behind
//   (file names carry a hash in production). The pages put their own files in that cache as
//   soon as the worker is ready (static/observations/offline.js), so the first visit is enough.
// - Any other page, with no network: the page « Pas de réseau » (kept with the queue's page).
// Nothing else: other pages and private files (photos) are never kept on the phone.
import { generateSW } from "workbox-build";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const swDest = path.join(root, "build", "sw", "sw.js");

const { count, size, warnings } = await generateSW({
  swDest,
  mode: "production",
  inlineWorkboxRuntime: true,
  sourcemap: false,
  skipWaiting: true,
  clientsClaim: true,
  cleanupOutdatedCaches: true,
  cacheId: "aq",
  runtimeCaching: [
    {
      urlPattern: ({ request, url }) =>
        request.mode === "navigate" && url.origin === self.location.origin &&
        /^\/(observations\/(nouvelle|en-attente)\/|marches\/\d+\/en-cours\/)/.test(url.pathname),
      handler: "NetworkFirst",
      options: {
        cacheName: "aq-pages",
        networkTimeoutSeconds: 6,
        matchOptions: { ignoreSearch: true, ignoreVary: true },
        expiration: { maxEntries: 20 },
      },
    },
    {
      // Any other page of the site, with no network: the page « Pas de réseau » kept with the
      // queue's (observations:offline), rather than the browser's error; the installed app
      // opens on the home page, which is not kept.
      urlPattern: ({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin,
      handler: "NetworkOnly",
      options: {
        plugins: [
          {
            handlerDidError: async () => {
              const cache = await caches.open("aq-pages");
              return (await cache.match("/observations/hors-ligne/", { ignoreVary: true })) || Response.error();
            },
          },
        ],
      },
    },
    {
      urlPattern: ({ url }) => url.origin === self.location.origin && url.pathname.startsWith("/static/"),
      handler: "StaleWhileRevalidate",
      options: { cacheName: "aq-static", matchOptions: { ignoreVary: true }, expiration: { maxEntries: 150 } },
    },
  ],
});
warnings.forEach((warning) => console.warn(warning));
console.log(`service worker: ${path.relative(root, swDest)} (${count} precached, ${size} bytes)`);
