// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
// Chromium reads commands on its fd 3 and writes answers and events on its
// fd 4, each a JSON text ended by a NUL byte. No port, no WebSocket, no npm
// package; enough to drive one page of Debian's headless chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Browser {
  static async launch({ executable = 'chromium', width = 1400, height = 1000 } = {}) {
    const profile = mkdtempSync(join(tmpdir(), 'ow-chromium-'));
    const args = [
      '--headless=new', '--disable-gpu', '--no-sandbox', '--remote-debugging-pipe',
      `--user-data-dir=${profile}`, `--window-size=${width},${height}`,
      '--no-first-run', '--no-default-browser-check', '--disable-dev-shm-usage',
      // The test talks to 127.0.0.1 only: no name resolves, so none of the
      // browser's own background services reach the network.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions', '--disable-domain-reliability',
      '--disable-client-side-phishing-detection', '--no-pings', '--metrics-recording-only',
      '--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions',
      'about:blank',
    ];
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const browser = new Browser(child, profile);
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return browser;
  }

  constructor(child, profile) {
    this.child = child;
    this.profile = profile;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.stderr = '';
    this.exited = false;
    child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-20000); });
    child.stdout.on('data', () => {});
    let buffer = Buffer.alloc(0);
    child.stdio[4].on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      let end;
      while ((end = buffer.indexOf(0)) >= 0) {
        const text = buffer.subarray(0, end).toString('utf8');
        buffer = buffer.subarray(end + 1);
        this.dispatch(JSON.parse(text));
      }
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      for (const { reject } of this.pending.values()) {
        reject(new Error(`chromium exited (${code ?? signal}): ${this.stderr.slice(-2000)}`));
      }
      this.pending.clear();
    });
  }

  dispatch(message) {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) {
        waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      } else {
        waiter.resolve(message.result);
      }
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  // Sends one command; `sessionId` addresses an attached page.
  send(method, params = {}, sessionId = undefined, timeoutMs = 30000) {
    if (this.exited) return Promise.reject(new Error('chromium is not running'));
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.stdio[3].write(`${JSON.stringify(message)}\0`);
    });
  }

  on(listener) { this.listeners.push(listener); }

  // A new tab, attached, with the domains the tests need enabled.
  async newPage() {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    return page;
  }

  async close() {
    if (!this.exited) {
      try { await this.send('Browser.close', {}, undefined, 5000); } catch (_) { /* killed below */ }
    }
    await new Promise((resolve) => {
      if (this.exited) { resolve(); return; }
      const timer = setTimeout(() => { this.child.kill('SIGKILL'); }, 5000);
      this.child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(browser, sessionId) {
    this.browser = browser;
    this.sessionId = sessionId;
    // Uncaught exceptions and console errors, for the test to check.
    this.problems = [];
    browser.on((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Runtime.exceptionThrown') {
        const d = m.params.exceptionDetails;
        this.problems.push(`exception: ${d.exception?.description || d.text}`);
      } else if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'error') {
        this.problems.push(`console.error: ${m.params.args.map((a) => a.value ?? a.description).join(' ')}`);
      } else if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error' &&
                 m.params.entry.source !== 'network') {
        // Network errors are the HTTP errors the page handles itself (a
        // 404 report route); anything else (a CSP violation, say) is a bug.
        this.problems.push(`${m.params.entry.source}: ${m.params.entry.text}`);
      }
    });
  }

  send(method, params = {}) { return this.browser.send(method, params, this.sessionId); }

  async goto(url) {
    const r = await this.send('Page.navigate', { url });
    if (r.errorText) throw new Error(`navigate ${url}: ${r.errorText}`);
  }

  // The value of a JavaScript expression (awaited if it is a promise).
  async evaluate(expression) {
    const r = await this.send('Runtime.evaluate', {
      expression, awaitPromise: true, returnByValue: true,
    });
    if (r.exceptionDetails) {
      throw new Error(`evaluate: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
    }
    return r.result.value;
  }

  // Polls `expression` until it is truthy; its last value otherwise.
  async waitFor(expression, { timeoutMs = 20000, what = expression } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      last = await this.evaluate(expression);
      if (last) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
  }

  // A PNG of the whole page.
  async screenshot() {
    const { cssContentSize } = await this.send('Page.getLayoutMetrics');
    const r = await this.send('Page.captureScreenshot', {
      format: 'png', captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height, scale: 1 },
    });
    return Buffer.from(r.data, 'base64');
  }
}
