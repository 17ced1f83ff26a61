import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, describeContainer, isVllmContainer, workloadOfResource } from "./lib/kubernetes";
import { isUnknown, num, record } from "./lib/values";

export interface VllmProbesConfig {
    /** Least time the startup probe must allow for a cold model load (download, load onto the GPUs, CUDA graphs). @default 1800 */
    minStartupSeconds?: number;
}

export const vllmProbesDefaults = { minStartupSeconds: 1800 } as const;

/** Kubernetes' probe defaults. */
const probeDefaults = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 } as const;

const probeFields = ["startupProbe", "readinessProbe", "livenessProbe"] as const;

/**
 * vLLM containers have startup, readiness and liveness probes, and the startup probe waits
 * long enough for a slow model load: without it, the liveness probe restarts the pod
 * while the weights are still loading, forever.
 */
export const k8sVllmProbes: ResourceValidationPolicy = {
    name: "k8s-vllm-probes",
    description: "vLLM containers have startup, readiness and liveness probes, and the startup probe allows for a slow model load.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            minStartupSeconds: {
                type: "integer",
                minimum: 0,
                default: vllmProbesDefaults.minStartupSeconds,
                description: "Least time (initialDelaySeconds + periodSeconds × failureThreshold) the startup probe must allow for a cold model load.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const w = workloadOfResource(args);
        if (!w) {
            return;
        }
        const minStartupSeconds = args.getConfig<VllmProbesConfig>().minStartupSeconds ?? vllmProbesDefaults.minStartupSeconds;
        for (const c of containers(w.podSpec).filter(isVllmContainer)) {
            if (probeFields.some((f) => isUnknown(c.spec[f]))) {
                continue;
            }
            const missing = probeFields.filter((f) => record(c.spec[f]) === undefined);
            if (missing.length > 0) {
                reportViolation(
                    `${describeContainer(c, w)} runs vLLM without ${missing.join(", ")}: add httpGet probes on /health (a startupProbe that allows at least ${minStartupSeconds}s for the model to load, then a readinessProbe and a livenessProbe).`,
                );
            }
            const startup = record(c.spec.startupProbe);
            if (!startup) {
                continue;
            }
            const initialDelaySeconds = num(startup.initialDelaySeconds) ?? probeDefaults.initialDelaySeconds;
            const periodSeconds = num(startup.periodSeconds) ?? probeDefaults.periodSeconds;
            const failureThreshold = num(startup.failureThreshold) ?? probeDefaults.failureThreshold;
            if ([startup.initialDelaySeconds, startup.periodSeconds, startup.failureThreshold].some(isUnknown)) {
                continue;
            }
            const budget = initialDelaySeconds + periodSeconds * failureThreshold;
            if (budget < minStartupSeconds) {
                const needed = Math.ceil((minStartupSeconds - initialDelaySeconds) / periodSeconds);
                reportViolation(
                    `${describeContainer(c, w)} gives its startup probe ${budget}s (initialDelaySeconds ${initialDelaySeconds} + periodSeconds ${periodSeconds} × failureThreshold ${failureThreshold}), less than the ${minStartupSeconds}s a cold model load may take: raise startupProbe.failureThreshold to at least ${needed}.`,
                );
            }
        }
    },
};
