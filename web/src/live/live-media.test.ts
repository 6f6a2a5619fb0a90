import { Device } from 'mediasoup-client';
import { FakeHandler } from 'mediasoup-client/handlers/FakeHandler';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import * as fake from 'mediasoup-client/fakeParameters';
import type { ProducerInfo } from '@educloud/protocol';
import { describe, expect, it, vi } from 'vitest';
import { LiveMedia, type MediaEvents } from './live-media.js';
import type { SignalingClient } from './signaling-client.js';

/**
 * LiveMedia on mediasoup-client's fake handler (no WebRTC in Node) and a fake signaling
 * client whose answers the test controls: the moves between rooms and the joins that race
 * the others' publishing.
 */
function setUp(consumeAnswer?: Promise<void>) {
  const requests: string[] = [];
  const signaling = {
    connected: true,
    request: vi.fn(async (event: string, data: { producerId?: string }) => {
      requests.push(event);
      if (event === 'transport:create') return fake.generateTransportRemoteParameters();
      if (event === 'produce') return { producerId: 'own-camera' };
      if (event === 'consume') {
        await consumeAnswer;
        const c = fake.generateConsumerRemoteParameters({ codecMimeType: 'audio/opus' });
        return { ...c, consumerId: c.id, producerId: data.producerId };
      }
      return null;
    }),
  } as unknown as SignalingClient;
  const errors: string[] = [];
  const events: MediaEvents = {
    trackAdded: () => undefined,
    trackRemoved: () => undefined,
    localStopped: () => undefined,
    error: (message) => errors.push(message),
  };
  const media = new LiveMedia(
    signaling,
    events,
    () => new Device({ handlerFactory: FakeHandler.createFactory(fake) }),
  );
  const ready = async () => {
    await media.loadDevice(
      fake.generateRouterRtpCapabilities() as unknown as Record<string, unknown>,
    );
    await media.createTransport('recv');
  };
  return { media, ready, requests, errors, signaling };
}

const producer = (producerId: string): ProducerInfo => ({
  producerId,
  peerId: 'someone',
  kind: 'audio',
  source: 'mic',
  paused: false,
});

const consumedProducers = (media: LiveMedia) =>
  [...media.consumers.values()].map((c) => c.consumer.producerId);

describe('LiveMedia', () => {
  it('consumes a producer announced while its join was answered, after setting media up', async () => {
    const { media, ready } = setUp();
    // Announced before the class:join answer: no receive transport yet.
    await media.consume(producer('early'), null);
    // The answer sets media up from scratch.
    media.reset();
    await ready();
    await media.consumeWithAnnouncedEarly([], null);
    expect(consumedProducers(media)).toEqual(['early']);
  });

  it('keeps for the new transport a producer announced during a rejoin, not the old one', async () => {
    const { media, ready, requests } = setUp();
    await ready(); // the transport of the server's previous life
    const oldTransport = requests.length;
    media.consumeLater(producer('during-rejoin'), null);
    expect(requests.slice(oldTransport)).not.toContain('consume');
    media.reset();
    await ready();
    await media.consumeWithAnnouncedEarly([], null);
    expect(consumedProducers(media)).toEqual(['during-rejoin']);
  });

  it('drops quietly a consume answered after a move closed its transport', async () => {
    let answer!: () => void;
    const { media, ready, errors } = setUp(new Promise<void>((r) => (answer = r)));
    await ready();
    const consuming = media.consume(producer('old-room'), null); // asked, not answered yet
    media.reset(); // moved to another room
    answer();
    await consuming;
    expect(errors).toEqual([]);
    expect(media.consumers.size).toBe(0);
  });

  it('makes the consumers of a join in one negotiation, however their answers come', async () => {
    const { media, ready, signaling } = setUp();
    await ready();
    const answer = vi.mocked(signaling.request).getMockImplementation()!;
    // Each consume is answered on its own, last asked first, a macrotask apart.
    const gates = new Map<string, () => void>();
    vi.mocked(signaling.request).mockImplementation((async (event: string, data: never) => {
      if (event === 'consume') {
        const { producerId } = data as { producerId: string };
        await new Promise<void>((r) => gates.set(producerId, r));
      }
      return answer(event as never, data);
    }) as never);
    const receive = vi.spyOn(FakeHandler.prototype, 'receive');
    const joined = media.consumeWithAnnouncedEarly(
      [producer('a'), producer('b'), producer('c')],
      null,
    );
    await vi.waitFor(() => expect(gates.size).toBe(3));
    for (const id of ['c', 'b', 'a']) {
      gates.get(id)!();
      await new Promise((r) => setTimeout(r, 5));
    }
    await joined;
    expect(consumedProducers(media).sort()).toEqual(['a', 'b', 'c']);
    expect(receive).toHaveBeenCalledTimes(1);
    expect(receive.mock.calls[0]![0]).toHaveLength(3);
    receive.mockRestore();
  });

  it("takes the Device the device check loaded, when it was loaded for the join's router", async () => {
    const caps = fake.generateRouterRtpCapabilities() as unknown as Record<string, unknown>;
    const loadedAhead = async (forCaps: Record<string, unknown>) => {
      const device = new Device({ handlerFactory: FakeHandler.createFactory(fake) });
      await device.load({ routerRtpCapabilities: forCaps as never });
      return { device, capabilities: JSON.stringify(forCaps) };
    };
    const load = vi.spyOn(Device.prototype, 'load');

    const same = setUp().media;
    same.useDeviceLoadedAhead(loadedAhead(caps));
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 0));
    await same.loadDevice(caps);
    expect(load).toHaveBeenCalledTimes(1);
    expect(same.hasDevice).toBe(true);

    // Another router (another server version): the join loads its own.
    const other = setUp().media;
    const otherCaps = { ...caps, headerExtensions: [] };
    other.useDeviceLoadedAhead(loadedAhead(otherCaps));
    await new Promise((r) => setTimeout(r, 0));
    await other.loadDevice(caps);
    expect(load).toHaveBeenCalledTimes(3);
    load.mockRestore();
  });

  it('reads the stats of what is still open when a consumer closes meanwhile', async () => {
    const { media, ready } = setUp();
    await ready();
    await media.consume(producer('a'), null);
    await media.consume(producer('b'), null);
    const [first, second] = [...media.consumers.values()].map((c) => c.consumer);
    const getStats = first!.getStats.bind(first);
    // The second one closes while the first one's stats are awaited.
    vi.spyOn(first!, 'getStats').mockImplementation(async () => {
      second!.close();
      return getStats();
    });
    const stats = await media.inboundStats();
    expect(stats.map((s) => s.consumerId)).toEqual([first!.id]);
  });

  it('asks for the receive transport while the Device loads, and marks each join step', async () => {
    const { media, signaling } = setUp();
    let loadedWhenAsked: boolean | undefined;
    vi.mocked(signaling.request).mockImplementationOnce((async () => {
      loadedWhenAsked = media.hasDevice;
      return fake.generateTransportRemoteParameters();
    }) as never);
    const caps = fake.generateRouterRtpCapabilities() as unknown as Record<string, unknown>;
    media.marks.restart();
    await media.openReceiving(caps);
    // Asked before the Device was loaded: neither waits on the other.
    expect(loadedWhenAsked).toBe(false);
    expect(media.marks.steps()).not.toHaveProperty('consumeAsked');
    await media.consume(producer('a'), null);
    expect(Object.keys(media.marks.steps())).toEqual([
      'start',
      'device',
      'recvTransport',
      'consumeAsked',
      'consumeAnswered',
      'consumer',
      'resumed:audio',
    ]);
  });

  it('asks for the layer of the widest view drawing a consumer, the stage beside a tile', async () => {
    const { media, ready, signaling } = setUp();
    await ready();
    await media.consume(producer('a'), null);
    const [consumerId] = [...media.consumers.keys()];
    const layersAsked = () =>
      vi
        .mocked(signaling.request)
        .mock.calls.filter(([event]) => event === 'consumer:setPreferredLayers')
        .map(([, data]) => (data as { spatialLayer: number }).spatialLayer);
    media.setTileWidth(consumerId!, 'stage', 900);
    // The small tile of the same camera mounts after the stage, and reports again on a resize.
    media.setTileWidth(consumerId!, 'tile', 200);
    media.setTileWidth(consumerId!, 'tile', 210);
    expect(layersAsked()).toEqual([2]);
    // The stage shows someone else now: the tile alone decides.
    media.setTileWidth(consumerId!, 'stage', null);
    expect(layersAsked()).toEqual([2, 0]);
  });

  it('mutes at the server a microphone muted while its producer was being made', async () => {
    const { media, ready, requests } = setUp();
    await ready();
    await media.createTransport('send');
    const track = new FakeMediaStreamTrack({ kind: 'audio' }) as unknown as MediaStreamTrack;
    // Joined unmuted; the user mutes before the server answered the produce request.
    const producing = media.produce('mic', track, false);
    await media.setPaused('mic', true);
    const producer = (await producing)!;
    expect(producer.paused).toBe(true);
    expect(requests.filter((r) => r.startsWith('producer:'))).toEqual(['producer:pause']);
  });

  it('sets the layers a watched camera must send before resuming it, not after', async () => {
    const { media, ready } = setUp();
    await ready();
    await media.createTransport('send');
    const track = new FakeMediaStreamTrack({ kind: 'video' }) as unknown as MediaStreamTrack;
    const producer = (await media.produce('camera', track, false))!;
    const steps: string[] = [];
    const setMax = producer.setMaxSpatialLayer.bind(producer);
    const resume = producer.resume.bind(producer);
    vi.spyOn(producer, 'setMaxSpatialLayer').mockImplementation((layer) => {
      steps.push(`layers ${layer}`);
      return setMax(layer);
    });
    vi.spyOn(producer, 'resume').mockImplementation(() => {
      steps.push('resume');
      resume();
    });
    // Nobody watches: paused at the source. Then a viewer wants the middle layer.
    media.applyWantedLayers(producer.id, null);
    expect(producer.paused).toBe(true);
    media.applyWantedLayers(producer.id, 1);
    expect(steps).toEqual(['layers 1', 'resume']);
    expect(producer.paused).toBe(false);
  });
});
