/**
 * The library's public face for other Pulumi programs: the components and their Args, the
 * config parser, the planner and the conventions. Three layers, imported in one direction:
 * `config/` (what a stack says) ← `plan/` (what it needs) ← `resources/` (what is created);
 * `catalog/` and `conventions.ts` sit below all three.
 */
export * from "./catalog/cpuInstances";
export * from "./catalog/gpuInstances";
export * from "./catalog/models";
export * from "./config/engineFlags";
export * from "./config/issues";
export * from "./config/modelSource";
export * from "./config/parse";
export * from "./config/rules";
export * from "./config/stackFile";
export * from "./config/types";
export * from "./conventions";
export * from "./plan/autoscalePlan";
export * from "./plan/capacity";
export * from "./plan/clusterCost";
export * from "./plan/eksNodes";
export * from "./plan/examples";
export * from "./plan/fit";
export * from "./plan/footprint";
export * from "./plan/gateway";
export * from "./plan/lora";
export * from "./plan/modelCache";
export * from "./plan/s3Access";
export * from "./plan/startupBudget";
export * from "./plan/nodeBootstrap";
export * from "./plan/platformPlan";
export * from "./plan/scaledObject";
export * from "./plan/servicePlan";
export * from "./plan/types";
export * from "./plan/vllmRules";
export * from "./resources/apiGateway";
export * from "./resources/clusterAutoscaler";
export * from "./resources/cpuNodeGroup";
export * from "./resources/efsModelStorage";
export * from "./resources/eksCluster";
export * from "./resources/gpuNodeGroup";
export * from "./resources/keda";
export * from "./resources/keyStore";
export * from "./resources/modelAdapter";
export * from "./resources/modelCachePod";
export * from "./resources/modelPlatform";
export * from "./resources/modelNetworkPolicy";
export * from "./resources/modelService";
export * from "./resources/nodeGroupParts";
export * from "./resources/nvidiaDevicePlugin";
export * from "./resources/platformAutoscaling";
export * from "./resources/platformMonitoring";
export * from "./resources/platformPlayground";
export * from "./resources/platformSummary";
export * from "./resources/playground";
export * from "./resources/s3ModelReader";
export * from "./resources/serviceAutoscaler";
export * from "./resources/sharedModelCache";
export * from "./versions";
