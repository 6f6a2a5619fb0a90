#!/usr/bin/env node
// Join to first decoded remote frame in Chromium through the real server and mediasoup
// worker: a teacher page publishes its fake camera, then a student page joins RUNS times; each
// time we measure from the click on "Join the live class" to the first decoded frame of the
// teacher's video. Prints the median and the spread (this 2-core machine is noisy).
import { launchChromium, logIn, postJson, quantile, startServer } from './support.mjs';

const RUNS = Number(process.env.RUNS ?? 10);

const server = await startServer();
const url = server.baseUrl;
const browser = await launchChromium();
try {
  const t = await postJson(url, '/api/auth/signup', {
    email: 't@b.test',
    password: 'long password',
    displayName: 'teacher',
    role: 'teacher',
  });
  const s = await postJson(url, '/api/auth/signup', {
    email: 's@b.test',
    password: 'long password',
    displayName: 'student',
    role: 'student',
  });
  const c = await postJson(url, '/api/classes', { title: 'Bench' }, t.accessToken);
  const classId = c.class.id;
  await postJson(
    url,
    `/api/invites/${c.class.inviteUrl.split('/join/')[1]}/join`,
    undefined,
    s.accessToken,
  );
  const teacher = await (await browser.newContext()).newPage();
  await logIn(teacher, url, 't@b.test');
  await teacher.goto(`${url}/classes/${classId}`);
  await teacher.getByTestId('join-live').click();
  await teacher.getByTestId('start-class').click();
  const student = await (await browser.newContext()).newPage();
  await logIn(student, url, 's@b.test');
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    await student.goto(`${url}/classes/${classId}`);
    const join = student.getByTestId('join-live');
    await join.waitFor();
    // The device check is done once the button is enabled.
    await student.waitForFunction(
      () => !document.querySelector('[data-testid="join-live"]')?.hasAttribute('disabled'),
    );
    const started = Date.now();
    await join.click();
    await student.waitForFunction(
      async () => {
        const stats = await window.educloudLive?.inboundStats();
        return stats?.some((x) => x.kind === 'video' && x.framesDecoded > 0);
      },
      undefined,
      { polling: 20, timeout: 30_000 },
    );
    times.push(Date.now() - started);
    await student.getByTestId('leave-live').click();
  }
  times.sort((a, b) => a - b);
  console.log(`join → first decoded remote frame, ${RUNS} runs (ms): ${times.join(' ')}`);
  console.log(
    `median ${quantile(times, 0.5)} ms, p90 ${quantile(times, 0.9)} ms, min ${times[0]} ms`,
  );
} finally {
  await browser.close();
  await server.stop();
}
