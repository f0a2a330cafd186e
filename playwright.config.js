// End-to-end tests against the built page in dist/, served by scripts/dev.mjs, in Debian's chromium
// (no Playwright browser download). `npm test` builds first; `npm run e2e` builds and runs only these.
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT || 8123);

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: 'node scripts/dev.mjs serve',
    env: { PORT: String(PORT) },
    url: `http://127.0.0.1:${PORT}/examples.json`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
  },
});
