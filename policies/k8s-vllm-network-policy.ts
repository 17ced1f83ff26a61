import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { containers, describe, isVllmContainer, knownPodLabels, kubernetesObject, labelSelector, sameNamespace, selects, workload, Workload } from "./lib/kubernetes";
import { isUnknown, list, plain, record, str, strings, UnknownValue } from "./lib/values";

const networkPolicyType = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

interface IngressPolicy {
    name: string;
    /** `metadata.namespace`: undefined when absent, `unknownValue` in a preview. */
    namespace: string | undefined | UnknownValue;
    selects: (labels: Record<string, string>) => boolean | undefined;
    /** Whether a rule admits every source (no or an empty `from`, an empty peer, 0.0.0.0/0 or ::/0). */
    admitsAnyone: boolean;
}

function ingressPolicy(r: PolicyResource): IngressPolicy | undefined {
    const props = plain(r.props) as Record<string, any>;
    const { name, namespace } = kubernetesObject(r.type, props, r.name)!;
    // A spec or policy type not known until the update: whether the policy counts is not known either (checked again then).
    const pending: IngressPolicy = { name, namespace, selects: () => undefined, admitsAnyone: false };
    const spec = record(props.spec);
    if (!spec) {
        return isUnknown(props.spec) ? pending : undefined;
    }
    // Without policyTypes, a policy restricts ingress always (and egress when it has egress rules).
    const types = spec.policyTypes === undefined ? ["Ingress"] : strings(spec.policyTypes);
    if (!types.includes("Ingress")) {
        return isUnknown(spec.policyTypes) || list(spec.policyTypes).some(isUnknown) ? pending : undefined;
    }
    const selector = labelSelector(spec.podSelector ?? {});
    // A rule or peer not known until the update admits no one yet (checked again then).
    const peerAdmitsAnyone = (peer: any): boolean => {
        const p = record(peer) ?? {};
        const cidr = str(record(p.ipBlock)?.cidr);
        return !isUnknown(peer) && (Object.keys(p).length === 0 || cidr === "0.0.0.0/0" || cidr === "::/0");
    };
    const admitsAnyone = list(spec.ingress).some((rule) => {
        const from = record(rule)?.from;
        // A rule without peers (`from` absent or empty) admits every source.
        return !isUnknown(rule) && !isUnknown(from) && (list(from).length === 0 || list(from).some(peerAdmitsAnyone));
    });
    return {
        name,
        namespace,
        selects: (labels) => (selector === undefined || isUnknown(selector) ? undefined : selects(selector, labels)),
        admitsAnyone,
    };
}

/**
 * vLLM checks no key on most of its paths, so the gateway must be the only way in: every
 * vLLM workload's pods are selected by a NetworkPolicy that restricts ingress, and no
 * policy selecting them admits every source. (Enforced only where the network plugin
 * enforces NetworkPolicy.)
 */
export const k8sVllmNetworkPolicy: StackValidationPolicy = {
    name: "k8s-vllm-network-policy",
    description: "vLLM pods are selected by a NetworkPolicy restricting ingress, and no policy selecting them admits every source.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = args.resources.map((r: PolicyResource) => ({ r, props: plain(r.props) as Record<string, any> }));
        const policies = args.resources.filter((r) => r.type === networkPolicyType).map((r) => ({ r, p: ingressPolicy(r) }));
        for (const { r, props } of resources) {
            const w = workload(r.type, props, r.name);
            if (!w || isUnknown(w.podSpec) || !containers(w.podSpec).some(isVllmContainer)) {
                continue;
            }
            const labels = knownPodLabels(w as Workload);
            if (labels === undefined) {
                continue;
            }
            const selecting = policies.filter(({ p }) => p !== undefined && sameNamespace(p.namespace, w.namespace) && p.selects(labels) !== false);
            if (selecting.some(({ p }) => p!.selects(labels) === undefined)) {
                continue; // a selector not known until the update
            }
            if (selecting.length === 0) {
                reportViolation(
                    `${describe(w)} runs vLLM, which checks no key on most paths, and no NetworkPolicy restricts ingress to its pods: add one admitting only the API gateway's pods (ModelPlatform creates "model-pods-ingress").`,
                    r.urn,
                );
                continue;
            }
            for (const { r: policy, p } of selecting.filter(({ p }) => p!.admitsAnyone)) {
                reportViolation(`NetworkPolicy "${p!.name}" admits every source to the vLLM pods of ${describe(w)}: name the API gateway's pods in its ingress rules instead.`, policy.urn);
            }
        }
    },
};
