import { clusterName, gatewayPaths, gatewayTimeouts, tlsSecretName } from "./contract";
import { GatewayRoute } from "./input";
import { JsonObject, seconds, socketAddress, typed } from "./json";

/** Upstream clusters (`cds.json`, one per running service) and the TLS certificate secret (`sds.json`). */

export function cluster(r: GatewayRoute): JsonObject {
    const name = clusterName(r.name);
    return typed("envoy.config.cluster.v3.Cluster", {
        name,
        connect_timeout: seconds(gatewayTimeouts.connectSeconds),
        cluster_type: {
            name: "envoy.clusters.dns",
            typed_config: typed("envoy.extensions.clusters.dns.v3.DnsCluster", { dns_refresh_rate: "5s", dns_lookup_family: "V4_PREFERRED" }),
        },
        // Each address DNS returns is an endpoint (one per pod behind a headless Service); the least busy gets the request.
        lb_policy: "LEAST_REQUEST",
        load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(r.backendHost, r.backendPort) } }] }] },
        // Long generations hold requests open: room for many at once before Envoy sheds load.
        circuit_breakers: { thresholds: [{ priority: "DEFAULT", max_connections: 4096, max_pending_requests: 4096, max_requests: 4096, max_retries: 64 }] },
        typed_extension_protocol_options: {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": typed("envoy.extensions.upstreams.http.v3.HttpProtocolOptions", {
                common_http_protocol_options: { idle_timeout: seconds(gatewayTimeouts.upstreamIdleSeconds) },
                explicit_http_config: { http_protocol_options: {} },
            }),
        },
    });
}

export function tlsSecret(): JsonObject {
    return typed("envoy.extensions.transport_sockets.tls.v3.Secret", {
        name: tlsSecretName,
        tls_certificate: {
            certificate_chain: { filename: `${gatewayPaths.tls}/tls.crt` },
            private_key: { filename: `${gatewayPaths.tls}/tls.key` },
            // kubelet swaps the mounted Secret atomically; the pair is re-read on that move.
            watched_directory: { path: gatewayPaths.tls },
        },
    });
}

