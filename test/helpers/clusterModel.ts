import { randomInt, randomUUID } from "node:crypto";

/**
 * The Kubernetes cluster behind the mocks. A test says what the cluster has done (how many
 * pods of each Deployment passed their readiness probe, whether a load balancer was
 * assigned); the Kubernetes provider's computed outputs (status, uid, clusterIP,
 * generated names) come from this model, never from the resource's own spec.
 */
export interface ClusterModel {
    /**
     * Pods of each Deployment (by `metadata.name`) that are Ready. A Deployment not listed
     * has every desired pod Ready; a number above the desired count is capped at it (the
     * surplus pods are terminating and count nowhere).
     */
    readyPods?: Record<string, number>;
    /** What a `LoadBalancer` Service's ingress becomes; without it none is assigned (no controller). */
    loadBalancerIngress?: { hostname?: string; ip?: string };
}

/** Identity the API server assigns once and keeps while the object lives. */
export function createKubernetesIdentity(name: string, inputs: Record<string, any>): Record<string, unknown> {
    return {
        // Pulumi auto-names an object without metadata.name: the logical name plus a random suffix.
        name: inputs.metadata?.name ?? `${name}-${randomUUID().slice(0, 8)}`,
        uid: randomUUID(),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        clusterIP: `10.100.${randomInt(256)}.${randomInt(1, 255)}`,
    };
}

/** A Kubernetes object's outputs: its inputs, the kept identity, and the status the cluster reports now. */
export function kubernetesState(type: string, inputs: Record<string, any>, identity: Record<string, any>, cluster: ClusterModel): Record<string, unknown> {
    const metadata = { ...inputs.metadata, name: identity.name, uid: identity.uid, creationTimestamp: identity.creationTimestamp, resourceVersion: String(randomInt(1000, 99999)) };
    const state: Record<string, unknown> = { ...inputs, metadata };
    switch (type) {
        case "kubernetes:apps/v1:Deployment": {
            // The API server defaults an omitted spec.replicas to 1 (an autoscaled Deployment leaves it out).
            const replicas = inputs.spec?.replicas ?? 1;
            state.spec = { ...inputs.spec, replicas };
            state.status = deploymentStatus(identity.name, replicas, cluster);
            break;
        }
        case "kubernetes:core/v1:Service": {
            const type = inputs.spec?.type ?? "ClusterIP";
            state.spec = { ...inputs.spec, type, clusterIP: type === "ExternalName" ? undefined : identity.clusterIP };
            const ingress = type === "LoadBalancer" && cluster.loadBalancerIngress ? [cluster.loadBalancerIngress] : undefined;
            state.status = { loadBalancer: ingress ? { ingress } : {} };
            break;
        }
        case "kubernetes:core/v1:Namespace":
            state.status = { phase: "Active" };
            break;
    }
    return state;
}

/**
 * A Deployment's status as the controller writes it: zero counts are omitted (the API's
 * `omitempty`), `replicas` counts the pods that exist (desired), `readyReplicas` and
 * `availableReplicas` those the cluster model says are Ready.
 */
function deploymentStatus(name: string, desired: number, cluster: ClusterModel): Record<string, number> {
    const ready = Math.min(cluster.readyPods?.[name] ?? desired, desired);
    const counts: Record<string, number> = {
        observedGeneration: 1,
        replicas: desired,
        updatedReplicas: desired,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: desired - ready,
    };
    return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}
