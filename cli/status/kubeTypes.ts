/**
 * The parts of Kubernetes objects the status classifier reads, as `kubectl get -o json`
 * returns them (all optional: the API omits empty fields).
 */

export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
}

export interface ContainerState {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; message?: string; exitCode?: number; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatus {
    name: string;
    image?: string;
    ready?: boolean;
    started?: boolean;
    restartCount?: number;
    state?: ContainerState;
    lastState?: ContainerState;
}

export interface Probe {
    initialDelaySeconds?: number;
    periodSeconds?: number;
    failureThreshold?: number;
}

export interface Pod {
    metadata: ObjectMeta;
    spec?: {
        nodeName?: string;
        nodeSelector?: Record<string, string>;
        containers?: Array<{ name: string; image?: string; startupProbe?: Probe; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }>;
    };
    status?: {
        phase?: string;
        reason?: string;
        message?: string;
        conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }>;
        containerStatuses?: ContainerStatus[];
    };
}

export interface Deployment {
    metadata: ObjectMeta;
    spec?: { replicas?: number };
    status?: { replicas?: number; readyReplicas?: number; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

export interface KubeEvent {
    involvedObject?: { kind?: string; name?: string };
    reason?: string;
    message?: string;
    type?: string;
    source?: { component?: string };
    reportingComponent?: string;
    lastTimestamp?: string;
    eventTime?: string;
    firstTimestamp?: string;
    count?: number;
}

export interface Node {
    metadata: ObjectMeta;
    spec?: { unschedulable?: boolean };
    status?: { allocatable?: Record<string, string>; conditions?: Array<{ type: string; status: string }> };
}
