import { Policies, PolicyPack } from "@pulumi/policy";
import { awsEksNodegroupGpuAmi } from "./aws-eks-nodegroup-gpu-ami";
import { k8sContainerResources } from "./k8s-container-resources";
import { k8sDeploymentPdb } from "./k8s-deployment-pdb";
import { k8sGatewayAdminNotExposed } from "./k8s-gateway-admin-not-exposed";
import { k8sImagePinned } from "./k8s-image-pinned";
import { k8sModelCacheReadOnly } from "./k8s-model-cache-read-only";
import { k8sSecretNoPlaintextKeys } from "./k8s-secret-no-plaintext-keys";
import { k8sServiceBackendClusterip } from "./k8s-service-backend-clusterip";
import { k8sServiceIdLabel } from "./k8s-service-id-label";
import { k8sServiceLbNoPublicPlaintext } from "./k8s-service-lb-no-public-plaintext";
import { k8sVllmModelPinned } from "./k8s-vllm-model-pinned";
import { k8sVllmProbes } from "./k8s-vllm-probes";
import { k8sVllmNetworkPolicy } from "./k8s-vllm-network-policy";
import { k8sVllmShmForTensorParallel } from "./k8s-vllm-shm-for-tensor-parallel";
import { k8sWorkloadGpuPlacement } from "./k8s-workload-gpu-placement";
import { stackGpuBudget } from "./stack-gpu-budget";

/** Every policy of the pack, in the order docs/policies.md describes them. */
export const policies: Policies = [
    k8sWorkloadGpuPlacement,
    k8sVllmProbes,
    k8sImagePinned,
    k8sSecretNoPlaintextKeys,
    k8sServiceBackendClusterip,
    k8sGatewayAdminNotExposed,
    k8sVllmShmForTensorParallel,
    k8sDeploymentPdb,
    awsEksNodegroupGpuAmi,
    k8sServiceIdLabel,
    stackGpuBudget,
    k8sContainerResources,
    k8sVllmModelPinned,
    k8sModelCacheReadOnly,
    k8sVllmNetworkPolicy,
    k8sServiceLbNoPublicPlaintext,
];

/** Run with `pulumi preview --policy-pack policies`; see docs/policies.md. */
new PolicyPack("model-services", {
    description: "Guardrails for model services: GPU placement and budget, vLLM health and shared memory, pinned images, keys only in Secrets, backends behind the gateway.",
    enforcementLevel: "mandatory",
    policies,
});
