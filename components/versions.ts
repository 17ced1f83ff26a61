/**
 * KEDA, the autoscaler of autoscaled services: this release's images run the operator, and
 * its manifests and CRDs (`components/resources/keda/`) are rendered from the same tag of the
 * Go module `github.com/kedacore/keda/v2` by `scripts/vendorKeda.ts`.
 */
export const kedaVersion = "2.21.0";

/**
 * Every container image the platform runs, pinned here and nowhere else. Services may
 * override theirs (`services[].image`, `gateway.image`).
 */
export const images = {
    /** vLLM's OpenAI-compatible server: chat, vision and embedding services. */
    vllm: "vllm/vllm-openai:v0.26.0",
    /** vLLM-Omni (aligned with the vLLM release line): image-generation services. */
    vllmOmni: "vllm/vllm-omni:v0.26.0",
    /**
     * Stock Envoy for the API-key gateway (api_key_auth and json_to_metadata are in the stock
     * build). Its minor version must match go-control-plane's `envoy` module in
     * tools/envoy-validate/go.mod, which the generated config is validated against.
     */
    envoy: "envoyproxy/envoy:v1.40.0",
    /**
     * Open WebUI, the optional web playground (`playground.enabled`): the full image, which
     * carries its default embedding model, so the pod starts offline (see Playground).
     */
    openWebUi: "ghcr.io/open-webui/open-webui:v0.11.0",
    /** NVIDIA's Kubernetes device plugin, for GPU nodes whose AMI does not bring it. */
    nvidiaDevicePlugin: "nvcr.io/nvidia/k8s-device-plugin:v0.17.4",
    /** KEDA's operator, metrics API server and admission webhooks (`autoscaling.keda: install`). */
    kedaOperator: `ghcr.io/kedacore/keda:${kedaVersion}`,
    kedaMetricsApiServer: `ghcr.io/kedacore/keda-metrics-apiserver:${kedaVersion}`,
    kedaAdmissionWebhooks: `ghcr.io/kedacore/keda-admission-webhooks:${kedaVersion}`,
    /**
     * Kubernetes' Cluster Autoscaler, for EKS node groups of autoscaled services. Its minor
     * version follows the cluster's Kubernetes minor (`cluster.version`, default 1.34).
     */
    clusterAutoscaler: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.4",
} as const;

/** The EKS managed add-ons a created cluster runs, by the Kubernetes minor version they are built for. */
export interface EksAddonVersions {
    /** Amazon VPC CNI (`vpc-cni`): pod networking; nodes are not Ready without it. */
    vpcCni: string;
    /** `coredns`: cluster DNS (the gateway resolves the model services' backends through it). */
    coreDns: string;
    /** `kube-proxy`: Service routing on every node. */
    kubeProxy: string;
    /** `eks-pod-identity-agent`: IAM credentials for service accounts (the VPC CNI's). */
    podIdentityAgent: string;
    /** `aws-efs-csi-driver`: ReadWriteMany volumes on EFS, for shared model caches (installed only when one uses the platform's EFS). */
    efsCsiDriver: string;
}

/**
 * EKS add-on versions, pinned per cluster version (`aws eks describe-addon-versions
 * --kubernetes-version 1.34` lists what AWS offers; these are builds published for 1.34).
 * A cluster version without an entry here is a config error.
 */
export const eksAddonVersions: Readonly<Record<string, EksAddonVersions>> = {
    "1.34": {
        vpcCni: "v1.20.4-eksbuild.2",
        coreDns: "v1.12.3-eksbuild.1",
        kubeProxy: "v1.34.0-eksbuild.2",
        podIdentityAgent: "v1.3.10-eksbuild.2",
        efsCsiDriver: "v2.1.10-eksbuild.1",
    },
};
