// scratch: heap snapshots before/after churn (not committed)
import { writeFileSync } from 'node:fs';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { freePort, postJson, startServer } from './support.mjs';
const CYCLES = Number(process.env.CYCLES ?? 3000);
const STUDENTS = 50;
const inspectPort = await freePort();
const server = await startServer({ NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}`, RECONNECT_GRACE_MS: '1000' });
const url = server.baseUrl;
const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.once('open', r));
let id = 1; const pending = new Map(); let chunks = [];
ws.on('message', (d) => { const m = JSON.parse(String(d)); if (m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params.chunk); else if (pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); } });
const call = (method, params = {}) => new Promise((r) => { const i = id++; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
async function snap(file) { await call('HeapProfiler.collectGarbage'); await call('HeapProfiler.collectGarbage'); chunks = []; await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false }); writeFileSync(file, chunks.join('')); const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }); console.log(file, r.result.result.value); }
const t = await postJson(url, '/api/auth/signup', { email: 't@x.test', password: 'long password', displayName: 't', role: 'teacher' });
const c = await postJson(url, '/api/classes', { title: 'S' }, t.accessToken);
const classId = c.class.id; const code = c.class.inviteUrl.split('/join/')[1];
const tokens = [];
for (let i = 0; i < STUDENTS; i++) tokens.push((await postJson(url, `/api/invites/${code}/guest`, { displayName: `g${i}` })).guestToken);
const connect = (token) => new Promise((res, rej) => { const s = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true }); s.once('connect', () => res(s)); s.once('connect_error', rej); });
const ack = async (s, e, p) => { const r = await s.timeout(20000).emitWithAck(e, p); if (!r.ok) throw new Error(e + ' ' + r.error.code); return r.data; };
const host = await connect(t.accessToken); await ack(host, 'class:join', { classId }); await ack(host, 'class:start', {});
let done = 0, errors = 0;
async function churn(n) {
  const target = done + n;
  await Promise.all(tokens.map(async (tok, i) => { let k = 0; while (done < target) { let s; try { s = await connect(tok); await ack(s, 'class:join', { classId }); await ack(s, 'transport:create', { direction: 'recv' }); if ((k + i) % 2 === 0) await ack(s, 'class:leave', {}); done++; } catch (e) { errors++; } finally { s?.disconnect(); } k++; } }));
  await new Promise((r) => setTimeout(r, 4000));
}
await churn(500);
await snap('/tmp/restart-scratch/a.heapsnapshot');
await churn(CYCLES);
await snap('/tmp/restart-scratch/b.heapsnapshot');
console.log('cycles', done, 'errors', errors);
ws.close(); host.disconnect(); await server.stop();
