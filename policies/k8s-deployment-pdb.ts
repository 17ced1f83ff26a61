import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describe, knownPodLabels, KubernetesObject, kubernetesObject, LabelSelector, labelSelector, sameNamespace, selects, typeTokens, workload, Workload } from "./lib/kubernetes";
import { isUnknown, plain, record, UnknownValue, unknownValue } from "./lib/values";

interface Budget {
    object: KubernetesObject | undefined;
    /** Undefined when the budget has none (it selects nothing); `unknownValue` when not known yet. */
    selector: LabelSelector | undefined | UnknownValue;
}

/**
 * Deployments and StatefulSets with more than one replica have a PodDisruptionBudget that
 * selects their pods, so a node drain (an upgrade, a scale-down, a spot reclaim) takes
 * instances out one at a time instead of stopping the whole service.
 */
export const k8sDeploymentPdb: StackValidationPolicy = {
    name: "k8s-deployment-pdb",
    description: "Deployments and StatefulSets with more than one replica have a PodDisruptionBudget selecting their pods.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = args.resources.map((r: PolicyResource) => ({ r, props: plain(r.props) as Record<string, any> }));
        const budgets = resources
            .filter(({ r }) => r.type === typeTokens.podDisruptionBudget)
            .map(({ r, props }): Budget => ({
                object: kubernetesObject(r.type, props, r.name),
                selector: isUnknown(props.spec) ? unknownValue : labelSelector(record(props.spec)?.selector),
            }));

        for (const { r, props } of resources.filter(({ r }) => r.type === typeTokens.deployment || r.type === typeTokens.statefulSet)) {
            const w = workload(r.type, props, r.name) as Workload;
            const labels = knownPodLabels(w);
            if (w.replicas === undefined || w.replicas <= 1 || labels === undefined) {
                continue;
            }
            // A budget whose selector is not known yet may be the one; a budget without a selector selects nothing.
            const covered = budgets.some(
                ({ object, selector }) =>
                    object !== undefined && sameNamespace(object.namespace, w.namespace) && selector !== undefined && (isUnknown(selector) || selects(selector, labels)),
            );
            if (!covered) {
                const matchLabels = w.selector !== undefined && !isUnknown(w.selector) ? (w.selector.matchLabels ?? {}) : labels;
                reportViolation(
                    `${describe(w)} runs ${w.replicas} replicas without a PodDisruptionBudget selecting its pods, so a node drain may evict them all at once: add a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels ${JSON.stringify(matchLabels)}.`,
                    r.urn,
                );
            }
        }
    },
};
