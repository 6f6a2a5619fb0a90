/* global WebSocket, location, navigator */
// The least a mediasoup-client page can do to receive a room, the yardstick the live-join
// benchmark holds our client against: one WebSocket, one receive transport, every producer
// consumed at once and resumed. Publishing pages send what our web client sends (the same
// simulcast encodings) and receive each other, as a class's participants do, so the two rooms
// carry the same load.
import { Device } from 'mediasoup-client';

const cameraEncodings = [
  { rid: 'r0', maxBitrate: 150_000, scaleResolutionDownBy: 4 },
  { rid: 'r1', maxBitrate: 400_000, scaleResolutionDownBy: 2 },
  { rid: 'r2', maxBitrate: 1_000_000, scaleResolutionDownBy: 1 },
];

function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  const pending = new Map();
  let nextId = 1;
  ws.onmessage = (e) => {
    const { id, ok, data, error } = JSON.parse(e.data);
    const p = pending.get(id);
    pending.delete(id);
    if (ok) p?.resolve(data);
    else p?.reject(new Error(error));
  };
  const opened = new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  return async (method, data = {}) => {
    await opened;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, data }));
    });
  };
}

async function transport(request, device, direction) {
  const params = await request('createTransport', { direction });
  const t =
    direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
  t.on('connect', ({ dtlsParameters }, ok, fail) =>
    request('connect', { transportId: t.id, dtlsParameters }).then(ok, fail),
  );
  if (direction === 'send') {
    t.on('produce', ({ kind, rtpParameters }, ok, fail) =>
      request('produce', { transportId: t.id, kind, rtpParameters }).then(ok, fail),
    );
  }
  return t;
}

let recv;
/** This page's own producers: a page never receives itself. */
const own = new Set();

window.barePublish = async () => {
  const request = connect();
  const device = new Device();
  await device.load({ routerRtpCapabilities: await request('getCaps') });
  const send = await transport(request, device, 'send');
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const video = await send.produce({
    track: media.getVideoTracks()[0],
    encodings: cameraEncodings,
    codecOptions: { videoGoogleStartBitrate: 1000 },
  });
  const audio = await send.produce({ track: media.getAudioTracks()[0] });
  own.add(video.id).add(audio.id);
};

/**
 * Receives every producer of the room but this page's own. With `publish`, the page also sends
 * its camera and microphone, started beside the receiving as a participant joining with its
 * camera on does.
 */
window.bareJoin = async ({ publish = false } = {}) => {
  const request = connect();
  const device = new Device();
  const [caps, producers] = await Promise.all([request('getCaps'), request('listProducers')]);
  await device.load({ routerRtpCapabilities: caps });
  recv = await transport(request, device, 'recv');
  const receiving = Promise.all(
    producers
      .filter((producerId) => !own.has(producerId))
      .map(async (producerId) => {
        const params = await request('consume', {
          transportId: recv.id,
          producerId,
          rtpCapabilities: device.rtpCapabilities,
        });
        await recv.consume(params);
        await request('resume', { consumerId: params.id });
      }),
  );
  await Promise.all([receiving, publish ? window.barePublish() : null]);
};

/** Frames decoded per inbound video stream, the same figure our client's inboundStats gives. */
window.bareVideoFrames = async () => {
  if (!recv) return [];
  const stats = await recv.getStats();
  return [...stats.values()]
    .filter((s) => s.type === 'inbound-rtp' && s.kind === 'video')
    .map((s) => s.framesDecoded ?? 0);
};
