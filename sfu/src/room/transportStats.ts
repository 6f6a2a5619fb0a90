import type { types } from 'mediasoup';
import { SfuError } from '../errors.js';
import type { ProducerAppData, TransportStats } from '../types.js';
import type { ConsumerAppData } from './consumerAppData.js';

/** A transport's numbers with the scores of what it carries, for the network indicator. */
export async function transportStats(
  transport: types.Transport,
  producers: Iterable<types.Producer>,
  consumers: Iterable<types.Consumer>,
): Promise<TransportStats> {
  const transportId = transport.id;
  const [stat] = (await transport.getStats()) as (
    types.WebRtcTransportStat | types.PlainTransportStat
  )[];
  if (!stat) throw new SfuError('not_found', `no stats for transport ${transportId}`);
  const webRtc = 'iceState' in stat ? stat : undefined;
  const tuple = webRtc ? webRtc.iceSelectedTuple : (stat as types.PlainTransportStat).tuple;
  const producerStats: TransportStats['producers'] = [];
  for (const producer of producers) {
    const data = producer.appData as ProducerAppData & { transportId: string };
    if (data.transportId !== transportId) continue;
    producerStats.push({
      id: producer.id,
      source: data.source,
      scores: producer.score.map((s) => s.score),
    });
  }
  const consumerStats: TransportStats['consumers'] = [];
  for (const consumer of consumers) {
    if ((consumer.appData as ConsumerAppData).transportId !== transportId) continue;
    consumerStats.push({
      id: consumer.id,
      producerId: consumer.producerId,
      score: consumer.score.score,
      producerScore: consumer.score.producerScore,
    });
  }
  return {
    transportId,
    timestamp: stat.timestamp,
    iceState: webRtc?.iceState,
    dtlsState: webRtc?.dtlsState,
    protocol: tuple?.protocol,
    bytesReceived: stat.bytesReceived,
    bytesSent: stat.bytesSent,
    recvBitrate: stat.recvBitrate,
    sendBitrate: stat.sendBitrate,
    availableOutgoingBitrate: stat.availableOutgoingBitrate,
    rtpPacketLossReceived: stat.rtpPacketLossReceived,
    rtpPacketLossSent: stat.rtpPacketLossSent,
    producers: producerStats,
    consumers: consumerStats,
  };
}
