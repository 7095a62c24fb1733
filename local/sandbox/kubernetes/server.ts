/**
 * The Kubernetes API of every ACTIVE cluster in the sandbox: one HTTPS server per cluster on loopback,
 * serving the certificate of that cluster's own CA (DescribeCluster returns the CA and this endpoint).
 *
 * Why one port per cluster: a client trusts exactly one CA per cluster, so each cluster needs its own
 * serving certificate, and kubectl sends no SNI to an IP address — the TLS handshake cannot tell the
 * clusters apart. The CloudFormation engine turns a cluster ACTIVE in a synchronous step, and Node binds
 * ports asynchronously, so a few servers are kept listening in advance and one is handed out at once.
 *
 * A cluster that is deleted (or dropped by a world reset) stops answering: its server closes on the next
 * request or sweep, and connections are refused like those to a deleted EKS endpoint.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { EksCluster } from '../world/types.js';
import type { World } from '../world/world.js';
import { handleKubeRequest } from './api.js';
import { registerKubernetesWorld } from './eviction.js';
import { type ClusterKubeState, clusterKey, initialObjects, kubeStates, STORED } from './objects.js';
import { makeClusterPki } from './pki.js';

const SPARES = 3;

export interface KubernetesFrontOptions {
  timeScale: number;
  verifySignatures: boolean;
  log: (message: string) => void;
}

interface Served {
  server: Server;
  key?: string;
}

export class KubernetesFront {
  private readonly spares: Server[] = [];
  private readonly served = new Map<string, Served>();
  private filling: Promise<void> | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private unregister: (() => void) | undefined;

  constructor(
    private readonly world: World,
    private readonly opts: KubernetesFrontOptions,
  ) {}

  async start(): Promise<void> {
    // evictPodsFromNode (node group updates on the EKS side) finds clusters by name through this.
    this.unregister = registerKubernetesWorld(this.world, this.opts.timeScale);
    await this.refill();
    this.sweeper = setInterval(() => this.sweep(), 2_000);
    this.sweeper.unref();
  }

  /**
   * A cluster started creating: make sure a listener will be free when it turns ACTIVE. Attaching happens
   * inside a synchronous engine step, so listeners are opened ahead: one per cluster still CREATING plus
   * SPARES (200 clusters turning ACTIVE at once would otherwise find the pool empty).
   */
  prepare(): void {
    void this.refill().catch((e: unknown) =>
      this.opts.log(`[sandbox] kubernetes: could not open a listener: ${String(e)}`),
    );
  }

  private wanted(): number {
    return SPARES + this.world.data.eksClusters.filter((c) => c.status === 'CREATING').length;
  }

  /** Keep wanted() servers listening (unbound to a cluster, no certificate yet). */
  private refill(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.filling ??= (async () => {
      while (!this.stopped && this.spares.length < this.wanted()) {
        const server = createServer({});
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve());
        });
        this.spares.push(server);
      }
    })().finally(() => {
      this.filling = undefined;
    });
    return this.filling;
  }

  /**
   * The cluster turned ACTIVE: make its CA, bind a listening server to it. Returns the endpoint and the
   * base64 CA for DescribeCluster, or undefined when no server is free (logged; the caller keeps a
   * placeholder endpoint, and kubectl against that cluster cannot connect).
   */
  attach(cluster: EksCluster): { endpoint: string; certificateAuthorityData: string } | undefined {
    const server = this.spares.shift();
    this.prepare();
    if (!server) {
      this.opts.log(`[sandbox] kubernetes: no free listener for cluster ${cluster.name}; its endpoint will not answer`);
      return undefined;
    }
    const pki = makeClusterPki(new Date(this.world.now()));
    const port = (server.address() as AddressInfo).port;
    const endpoint = `https://127.0.0.1:${port}`;
    const key = clusterKey(cluster);
    const state: ClusterKubeState = {
      key,
      pki,
      endpoint,
      resourceVersion: 1000,
      objects: Object.fromEntries(STORED.map((r) => [r, {}])) as ClusterKubeState['objects'],
    };
    initialObjects(state, cluster, this.world.nowIso());
    kubeStates(this.world)[key] = state;
    server.setSecureContext({ cert: pki.serverCertPem, key: pki.serverKeyPem });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(key, req, res));
    this.served.set(key, { server, key });
    return { endpoint, certificateAuthorityData: Buffer.from(pki.caCertPem).toString('base64') };
  }

  private live(key: string): { cluster: EksCluster; state: ClusterKubeState } | undefined {
    const state = kubeStates(this.world)[key];
    if (!state) return undefined;
    const cluster = this.world.data.eksClusters.find((c) => clusterKey(c) === key);
    // EKS keeps the API server available during a control plane upgrade (UPDATING).
    if (
      !cluster ||
      (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') ||
      cluster.endpoint !== state.endpoint
    )
      return undefined;
    return { cluster, state };
  }

  private onRequest(key: string, req: IncomingMessage, res: ServerResponse): void {
    const live = this.live(key);
    if (!live) {
      req.socket.destroy();
      this.close(key);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const out = handleKubeRequest(
          {
            world: this.world,
            cluster: live.cluster,
            state: live.state,
            timeScale: this.opts.timeScale,
            verifySignatures: this.opts.verifySignatures,
          },
          { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) },
        );
        const body = Buffer.from(JSON.stringify(out.body));
        res.writeHead(out.status, {
          'content-type': 'application/json',
          'content-length': body.length,
          'cache-control': 'no-cache, private',
        });
        res.end(body);
      } catch (e) {
        this.opts.log(
          `[sandbox] kubernetes: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        const body = JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Internal error occurred: sandbox',
          reason: 'InternalError',
          code: 500,
        });
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(body);
      }
    });
  }

  private close(key: string): void {
    const s = this.served.get(key);
    if (!s) return;
    this.served.delete(key);
    s.server.closeAllConnections();
    s.server.close();
  }

  /** Close servers of clusters that are gone (deleted, or dropped by a world reset). */
  sweep(): void {
    for (const key of [...this.served.keys()]) if (!this.live(key)) this.close(key);
    // After a burst, close the listeners no cluster will need.
    while (!this.filling && this.spares.length > this.wanted()) this.spares.pop()!.close();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unregister?.();
    if (this.sweeper) clearInterval(this.sweeper);
    await this.filling?.catch(() => undefined);
    const all = [...this.spares.splice(0), ...[...this.served.values()].map((s) => s.server)];
    this.served.clear();
    await Promise.all(
      all.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }
}
