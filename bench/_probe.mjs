import { launchChromium, logIn, postJson, startServer } from './support.mjs';
const server = await startServer();
const { baseUrl } = server;
const browser = await launchChromium();
try {
  const tokens = {};
  for (const [name, role] of [['admin','teacher'],['teacher','teacher'],['student','student']]) {
    const r = await postJson(baseUrl, '/api/auth/signup', { email: `${name}@example.org`, password: 'long password', displayName: name, role });
    tokens[name] = r.accessToken;
  }
  const c = await postJson(baseUrl, '/api/classes', { title: 'E' }, tokens.teacher);
  await postJson(baseUrl, `/api/invites/${c.class.inviteUrl.split('/join/')[1]}/join`, undefined, tokens.student);
  for (let run = 0; run < 2; run++) {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, baseUrl, 'student@example.org');
    const t0 = Date.now();
    const log = [];
    page.on('requestfinished', (r) => log.push(`${Date.now() - t0} done ${r.url().replace(baseUrl, '')}`));
    page.on('websocket', (ws) => { log.push(`${Date.now() - t0} ws ${ws.url().replace(baseUrl.replace('http','ws'), '')}`); ws.on('framereceived', () => {}); });
    page.on('console', (m) => log.push(`${Date.now() - t0} console ${m.text().slice(0, 120)}`));
    await page.goto(`/classes/${c.class.id}`);
    log.push(`${Date.now() - t0} goto done`);
    await page.locator('[data-testid="board-canvas"]').waitFor();
    log.push(`${Date.now() - t0} canvas present`);
    await page.locator('[data-testid="board-status"]').waitFor();
    await page.locator('[data-testid="board-canvas"][data-ready="true"]').waitFor({ timeout: 60000 });
    log.push(`${Date.now() - t0} READY`);
    console.log(log.join('\n'));
    console.log('----');
    await context.close();
  }
} finally { await browser.close(); await server.stop(); }
